package dev.rlhfmesh.trainersvc.learn.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** GAE, whitening, GRPO and RLOO advantages on hand-computed numbers. */
class AdvantageMathTest {
  static final float TOL = 1e-6f;

  @Test
  void gae_withGammaAndLambdaOne_propagatesTerminalRewardUndiscounted() {
    Gae.Result r =
        Gae.compute(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.5f, 0.5f}}, null, 1, 1);
    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f}, r.advantages()[0], TOL);
    assertArrayEquals(new float[] {1, 1, 1}, r.returns()[0], TOL);
  }

  @Test
  void gae_discountsByGammaAndLambda() {
    // t2: δ=1−0.5=0.5, A=0.5; t1: δ=0.9·0.5−0.5=−0.05, A=−0.05+0.45·0.5=0.175;
    // t0: δ=−0.05, A=−0.05+0.45·0.175=0.02875
    Gae.Result r =
        Gae.compute(new float[][] {{0, 0, 1}}, new float[][] {{0.5f, 0.5f, 0.5f}}, null, 0.9, 0.5);
    assertArrayEquals(new float[] {0.02875f, 0.175f, 0.5f}, r.advantages()[0], TOL);
    assertArrayEquals(new float[] {0.52875f, 0.675f, 1.0f}, r.returns()[0], TOL);
  }

  @Test
  void gae_ignoresPaddedPositionsAndBootstrapsZeroAfterTheLastRealToken() {
    // the padded value 9 and reward 7 must not leak into the real token
    Gae.Result r =
        Gae.compute(
            new float[][] {{1, 7}}, new float[][] {{0.5f, 9f}}, new float[][] {{1, 0}}, 1, 0.95);
    assertArrayEquals(new float[] {0.5f, 0f}, r.advantages()[0], TOL);
    assertArrayEquals(new float[] {1f, 0f}, r.returns()[0], TOL);
  }

  @Test
  void whitening_usesOnlyRealTokensAndGivesZeroMeanUnitStd() {
    float[][] x = {{1, 3, 100}, {5, 7, -100}};
    float[][] mask = {{1, 1, 0}, {1, 1, 0}};
    // real: 1,3,5,7 → mean 4, population std sqrt(5)
    float[][] w = AdvantageWhitening.whiten(x, mask);
    float s = (float) Math.sqrt(5);
    assertArrayEquals(new float[] {-3 / s, -1 / s, 0}, w[0], 1e-5f);
    assertArrayEquals(new float[] {1 / s, 3 / s, 0}, w[1], 1e-5f);
  }

  @Test
  void groupAdvantages_normaliseWithinEachGroupWithSampleStd() {
    float[] a = GroupAdvantages.compute(new float[] {1, 0, 1, 0, 5}, new int[] {0, 0, 0, 0, 1});
    double std = Math.sqrt(1.0 / 3); // sample std of {1,0,1,0}
    float e = (float) (0.5 / (std + GroupAdvantages.EPS));
    assertArrayEquals(new float[] {e, -e, e, -e, 0}, a, 1e-5f);
  }

  @Test
  void rloo_subtractsTheMeanOfTheOtherSamples() {
    float[] a = RlooAdvantages.compute(new float[] {1, 2, 4, 10, 20}, new int[] {0, 0, 0, 3, 3});
    assertArrayEquals(new float[] {-2f, -0.5f, 2.5f, -10f, 10f}, a, TOL);
  }

  @Test
  void rloo_rejectsAGroupOfOne() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RlooAdvantages.compute(new float[] {1, 2}, new int[] {0, 1}));
  }

  @Test
  void klPenalty_k1RewardsPutTheScoreOnTheLastMaskedToken() {
    float[][] r =
        KlPenalty.rewards(
            new float[][] {{-1, -2, 0}},
            new float[][] {{-1.5f, -1, 0}},
            new float[][] {{1, 1, 0}},
            new float[] {2},
            0.1,
            KlPenalty.Estimator.K1);
    assertArrayEquals(new float[] {-0.05f, 2.1f, 0f}, r[0], TOL);
  }

  @Test
  void klPenalty_k3IsNonNegativeAndMatchesFormula() {
    assertEquals(Math.exp(-0.5) - 1 + 0.5, KlPenalty.estimate(KlPenalty.Estimator.K3, 0.5), 1e-12);
    assertEquals(Math.exp(1) - 1 - 1, KlPenalty.estimate(KlPenalty.Estimator.K3, -1), 1e-12);
    float[] seq =
        KlPenalty.perSequence(
            new float[][] {{-1, -2}}, new float[][] {{-1.5f, -1}}, null, KlPenalty.Estimator.K1);
    assertEquals(-0.5f, seq[0], TOL);
  }

  @Test
  void rewardShaping_addsNoEosPenaltyThenClips() {
    float[] r =
        RewardShaping.shape(
            new float[] {1, 1, -3}, new boolean[] {true, false, true}, null, -1.0, 0.5);
    assertArrayEquals(new float[] {0.5f, 0f, -0.5f}, r, TOL);
  }
}
