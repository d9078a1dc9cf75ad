package dev.rlhfmesh.model.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rlhfmesh.model.gpt.NativeStep;
import java.util.Arrays;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SoftmaxRowsTest {
  private static final int[] VOCABS = {1, 5, 8, 9, 37, 512};

  /** Rows of logits with a wide spread, masked (-inf) entries and values that underflow. */
  private static float[] logits(int rows, int v, long seed) {
    Random r = new Random(seed);
    float[] l = new float[rows * v];
    for (int i = 0; i < l.length; i++) {
      l[i] = (float) (r.nextGaussian() * 6);
      if (v > 4 && i % 7 == 3) {
        l[i] = Float.NEGATIVE_INFINITY;
      } else if (v > 4 && i % 11 == 5) {
        l[i] -= 120; // far below the max: a weight of 0 or a subnormal
      }
    }
    return l;
  }

  @Test
  void nativeAndJavaAgree_toAFewUlps() {
    assumeTrue(NativeStep.available(), NativeStep.describe());
    for (int v : VOCABS) {
      float[] l = logits(3, v, v);
      SoftmaxRows fast = SoftmaxRows.of(l, 3, v, true);
      SoftmaxRows java = SoftmaxRows.of(l, 3, v, false);
      for (int r = 0; r < 3; r++) {
        assertEquals(java.max(r), fast.max(r), 0, "max, vocab " + v);
        assertEquals(java.z(r), fast.z(r), 1e-6 * java.z(r), "Z, vocab " + v);
        assertEquals(java.dot(r), fast.dot(r), 1e-6 * (1 + Math.abs(java.dot(r))), "dot " + v);
        for (int i = r * v; i < (r + 1) * v; i++) {
          float want = java.weights()[i];
          assertEquals(want, fast.weights()[i], 1e-30 + 3e-7 * want, "weight " + i + ", " + v);
        }
      }
    }
  }

  @Test
  void maskedLogitsWeighNothing_andLeaveTheStatisticsFinite_onBothPaths() {
    float[] l = {Float.NEGATIVE_INFINITY, 2f, -1f, Float.NEGATIVE_INFINITY, 0.5f, 3f, -2f, 0f, 1f};
    for (boolean useNative : new boolean[] {false, true}) {
      if (useNative && !NativeStep.available()) {
        continue;
      }
      SoftmaxRows s = SoftmaxRows.of(l, 1, l.length, useNative);
      assertEquals(0f, s.weights()[0]);
      assertEquals(0f, s.weights()[3]);
      assertEquals(3f, s.max(0));
      assertTrue(Double.isFinite(s.z(0)) && Double.isFinite(s.dot(0)), "native " + useNative);
      double z = 0;
      double dot = 0;
      for (float x : l) {
        if (x > Float.NEGATIVE_INFINITY) {
          z += Math.exp(x - 3);
          dot += Math.exp(x - 3) * (x - 3);
        }
      }
      assertEquals(z, s.z(0), 1e-6, "native " + useNative);
      assertEquals(dot, s.dot(0), 1e-6, "native " + useNative);
    }
  }

  @Test
  void eachRowIsItsOwn_whateverElseIsInTheCall() {
    int v = 37;
    float[] l = logits(5, v, 3);
    SoftmaxRows all = SoftmaxRows.of(l, 5, v);
    for (int r = 0; r < 5; r++) {
      float[] row = Arrays.copyOfRange(l, r * v, (r + 1) * v);
      SoftmaxRows alone = SoftmaxRows.of(row, 1, v);
      assertEquals(alone.z(0), all.z(r), 0, "row " + r);
      assertEquals(alone.dot(0), all.dot(r), 0, "row " + r);
      assertTrue(
          Arrays.equals(alone.weights(), Arrays.copyOfRange(all.weights(), r * v, (r + 1) * v)),
          "row " + r);
    }
  }

  @Test
  void samplingARowOfAStep_equalsSamplingItAlone() {
    int v = 512;
    float[] l = logits(4, v, 9);
    SoftmaxRows soft = SoftmaxRows.of(l, 4, v);
    for (SamplingParams p :
        new SamplingParams[] {
          SamplingParams.greedy(),
          new SamplingParams(1.0, 0, 1, 1),
          new SamplingParams(0.7, 0, 1, 2),
          new SamplingParams(1.0, 20, 0.9, 3)
        }) {
      for (int r = 0; r < 4; r++) {
        float[] row = Arrays.copyOfRange(l, r * v, (r + 1) * v);
        for (int draw = 0; draw < 20; draw++) {
          TokenChoice fromStep = Sampler.choose(l, soft, r, p, new SplittableRandom(draw));
          TokenChoice alone = Sampler.choose(row, p, new SplittableRandom(draw));
          assertEquals(alone, fromStep, p + ", row " + r + ", draw " + draw);
        }
      }
    }
  }

  @Test
  void aReusedObject_holdsExactlyWhatAFreshOneWould_stepAfterStep() {
    int v = 37;
    SoftmaxRows reused = new SoftmaxRows(4, v);
    for (int rows : new int[] {4, 1, 3}) {
      float[] l = logits(rows, v, rows);
      SoftmaxRows fresh = SoftmaxRows.of(l, rows, v);
      assertTrue(reused == reused.fill(l, rows));
      for (int r = 0; r < rows; r++) {
        assertEquals(fresh.max(r), reused.max(r), 0);
        assertEquals(fresh.z(r), reused.z(r), 0);
        assertEquals(fresh.dot(r), reused.dot(r), 0);
      }
      assertTrue(
          Arrays.equals(
              Arrays.copyOf(fresh.weights(), rows * v), Arrays.copyOf(reused.weights(), rows * v)),
          rows + " rows");
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> reused.fill(new float[5 * v], 5));
    assertTrue(e.getMessage().contains("room for 4"), e.getMessage());
  }

  @Test
  void rejectsArraysShorterThanRowsTimesVocab() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SoftmaxRows.of(new float[10], 3, 4));
    assertTrue(e.getMessage().contains("3 rows of 4 logits"), e.getMessage());
  }
}
