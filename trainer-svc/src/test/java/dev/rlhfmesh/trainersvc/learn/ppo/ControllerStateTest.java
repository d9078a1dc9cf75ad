package dev.rlhfmesh.trainersvc.learn.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** KL controllers and the reward normaliser: formulas and state round trips. */
class ControllerStateTest {

  @Test
  void adaptiveKl_raisesBetaByAtMostTwentyPercentOfNOverHorizon() {
    KlController c = KlController.of(true, 0.1, 6, 10_000);
    c.update(12, 1000); // error clipped to +0.2 → β · (1 + 0.2 · 0.1)
    assertEquals(0.102, c.beta(), 1e-12);
    c.update(3, 1000); // error −0.5 clipped to −0.2
    assertEquals(0.102 * 0.98, c.beta(), 1e-12);
  }

  @Test
  void adaptiveKl_isProportionalInsideTheClip() {
    KlController c = KlController.of(true, 1.0, 10, 100);
    c.update(11, 10); // error 0.1 → 1 + 0.1 · 10/100
    assertEquals(1.01, c.beta(), 1e-12);
  }

  @Test
  void fixedKl_neverMovesAndRestores() {
    KlController c = KlController.of(false, 0.3, 6, 100);
    c.update(100, 1000);
    assertEquals(0.3, c.beta());
    c.restore(0.25);
    assertEquals(0.25, c.beta());
  }

  @Test
  void rewardNormalizer_matchesTwoPassMeanAndPopulationStd() {
    RewardNormalizer n = new RewardNormalizer();
    float[] out = n.normalize(new float[] {1, 3});
    assertArrayEquals(new float[] {-1, 1}, out, 1e-6f); // mean 2, std 1
    n.normalize(new float[] {2, 6});
    // all four: mean 3, population variance (4+0+1+9)/4 = 3.5
    assertEquals(3.0, n.mean(), 1e-12);
    assertEquals(Math.sqrt(3.5), n.std(), 1e-12);
  }

  @Test
  void rewardNormalizer_stateRoundTripContinuesIdentically() {
    RewardNormalizer a = new RewardNormalizer();
    a.normalize(new float[] {0.1f, 0.7f, -2f});
    RewardNormalizer b = new RewardNormalizer();
    b.restore(a.state());
    assertArrayEquals(a.normalize(new float[] {5, 1}), b.normalize(new float[] {5, 1}));
    assertArrayEquals(a.state(), b.state());
  }
}
