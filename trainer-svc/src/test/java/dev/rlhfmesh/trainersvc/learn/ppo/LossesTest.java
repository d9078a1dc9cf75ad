package dev.rlhfmesh.trainersvc.learn.ppo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Policy, value and KL losses on hand-computed (1, T) tensors, gradients included. */
class LossesTest {
  static NDManager root;

  @BeforeAll
  static void setUp() {
    root = NDManager.newBaseManager();
  }

  @AfterAll
  static void tearDown() {
    root.close();
  }

  static NDArray row(NDManager m, float... v) {
    return m.create(v, new Shape(1, v.length));
  }

  static float ln(double x) {
    return (float) Math.log(x);
  }

  @Test
  void policyLoss_clipsRatioAboveOnePlusEpsilon() {
    try (NDManager m = root.newSubManager()) {
      NDArray logp = row(m, ln(1.5));
      logp.setRequiresGradient(true);
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        PolicyLoss.Result r = new PolicyLoss(0.2).compute(logp, row(m, 0f), row(m, 1f), row(m, 1f));
        gc.backward(r.loss());
        assertEquals(-1.2f, r.loss().getFloat(), 1e-6f); // min(1.5·1, 1.2·1)
        assertEquals(1f, r.clipFraction().getFloat());
        assertEquals(0.5 - Math.log(1.5), r.approxKl().getFloat(), 1e-6);
      }
      assertEquals(0f, logp.getGradient().getFloat(), 0f); // clipped: no gradient
    }
  }

  @Test
  void policyLoss_keepsTheUnclippedTermWhenItIsMorePessimistic() {
    try (NDManager m = root.newSubManager()) {
      NDArray logp = row(m, ln(1.5), ln(0.5));
      logp.setRequiresGradient(true);
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        // token 0: ratio 1.5, A = −1 → min(−1.5, −1.2) = −1.5 (unclipped, gradient flows)
        // token 1: ratio 0.5, A = +1 → min(0.5, 0.8) = 0.5
        PolicyLoss.Result r =
            new PolicyLoss(0.2).compute(logp, row(m, 0f, 0f), row(m, -1f, 1f), row(m, 1f, 1f));
        gc.backward(r.loss());
        assertEquals(-(-1.5f + 0.5f) / 2, r.loss().getFloat(), 1e-6f);
        assertEquals(1f, r.clipFraction().getFloat());
      }
      // d(−mean(ρ A))/d logp = −ρ A / 2
      assertArrayEquals(new float[] {0.75f, -0.25f}, logp.getGradient().toFloatArray(), 1e-6f);
    }
  }

  @Test
  void policyLoss_ignoresPaddedTokens() {
    try (NDManager m = root.newSubManager()) {
      PolicyLoss.Result r =
          new PolicyLoss(0.2)
              .compute(row(m, 0f, 5f), row(m, 0f, 0f), row(m, 2f, 100f), row(m, 1f, 0f));
      assertEquals(-2f, r.loss().getFloat(), 1e-6f);
      assertEquals(0f, r.clipFraction().getFloat());
      assertEquals(0f, r.approxKl().getFloat(), 1e-7f);
    }
  }

  @Test
  void valueLoss_takesTheLargerOfClippedAndUnclippedError() {
    try (NDManager m = root.newSubManager()) {
      // V = 2, V_old = 1, R = 2, ε_v = 0.2: unclipped 0, clipped (1.2 − 2)² = 0.64 → ½·0.64
      NDArray l = new ValueLoss(0.2).compute(row(m, 2f), row(m, 1f), row(m, 2f), row(m, 1f));
      assertEquals(0.32f, l.getFloat(), 1e-6f);
      NDArray plain = new ValueLoss(0).compute(row(m, 2f), row(m, 1f), row(m, 3f), row(m, 1f));
      assertEquals(0.5f, plain.getFloat(), 1e-6f);
    }
  }

  @Test
  void valueLoss_ignoresPaddedTokens() {
    try (NDManager m = root.newSubManager()) {
      NDArray l =
          new ValueLoss(0.2)
              .compute(row(m, 1f, 50f), row(m, 1f, 0f), row(m, 3f, -50f), row(m, 1f, 0f));
      // token 0: V = V_old = 1, R = 3 → ½ (1 − 3)² = 2
      assertEquals(2f, l.getFloat(), 1e-6f);
    }
  }

  @Test
  void klPenalty_k3LossIsMaskedMeanOfExpMinusOneMinusLogRatio() {
    try (NDManager m = root.newSubManager()) {
      NDArray l = KlPenalty.k3Loss(row(m, -1f, -2f, 9f), row(m, -1.5f, -1f, 0f), row(m, 1, 1, 0));
      double expected = ((Math.exp(-0.5) - 1 + 0.5) + (Math.exp(1) - 1 - 1)) / 2;
      assertEquals(expected, l.getFloat(), 1e-6);
    }
  }

  @Test
  void entropyBonus_isLogVForUniformLogits() {
    try (NDManager m = root.newSubManager()) {
      NDArray logits = m.zeros(new Shape(1, 2, 4)); // uniform over 4 tokens
      NDArray h = EntropyBonus.meanEntropy(logits, row(m, 1f, 0f));
      assertEquals(Math.log(4), h.getFloat(), 1e-6);
    }
  }
}
