package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.train.AdamW;
import dev.rlhfmesh.model.train.GradClip;
import dev.rlhfmesh.model.train.LrSchedule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainUnitsTest {
  @Test
  void lrSchedule_warmsUpLinearlyThenDecaysToMinRatio() {
    LrSchedule s = new LrSchedule(1e-3, 10, 110, 0.1);
    assertEquals(1e-4, s.at(0), 1e-12);
    assertEquals(1e-3, s.at(9), 1e-12);
    assertEquals(1e-3 * (0.1 + 0.9 * 0.5), s.at(60), 1e-9); // half-way: cosine = 0.5
    assertEquals(1e-4, s.at(110), 1e-12);
    assertEquals(1e-4, s.at(500), 1e-12);
  }

  /** p = [1, -2] (matrix row) with gradient from loss = sum(p * c): g = c. */
  private static void backwardLinear(NDManager m, NDArray p, float[] c) {
    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      gc.backward(p.mul(m.create(c, p.getShape())).sum());
    }
  }

  @Test
  void adamW_firstStepsMatchHandComputation() {
    try (NDManager m = NDManager.newBaseManager();
        AdamW opt = new AdamW(m, 0.9, 0.999, 1e-8, 0.1)) {
      NDArray p = m.create(new float[] {1f, -2f}, new Shape(1, 2));
      p.setRequiresGradient(true);
      Map<String, NDArray> params = new LinkedHashMap<>();
      params.put("w", p);
      backwardLinear(m, p, new float[] {0.5f, -0.25f});
      opt.step(params, 0.01);
      // step 1: m̂ = g, v̂ = g², update = g/|g| = sign(g); decay: p (1 - lr wd)
      float[] expected = {1f * (1 - 0.001f) - 0.01f, -2f * (1 - 0.001f) + 0.01f};
      assertArrayEquals(expected, p.toFloatArray(), 1e-6f);
      try (NDArray g = p.getGradient()) {
        assertArrayEquals(new float[] {0, 0}, g.toFloatArray(), 0f, "gradients zeroed");
      }
      Map<String, NDArray> state = opt.stateDict(m);
      assertEquals(1L, state.get("step").toLongArray()[0]);
      assertArrayEquals(new float[] {0.05f, -0.025f}, state.get("w.exp_avg").toFloatArray(), 1e-7f);
      try (AdamW restored = new AdamW(m, 0.9, 0.999, 1e-8, 0.1)) {
        restored.loadStateDict(state);
        assertEquals(1L, restored.stepCount());
      }
    }
  }

  @Test
  void gradClip_scalesToMaxNorm() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.create(new float[] {0f, 0f});
      NDArray b = m.create(new float[] {0f});
      a.setRequiresGradient(true);
      b.setRequiresGradient(true);
      backwardLinear(m, a, new float[] {3f, 0f});
      backwardLinear(m, b, new float[] {4f});
      double norm = GradClip.clipGlobalNorm(List.of(a, b), 1.0);
      assertEquals(5.0, norm, 1e-6);
      try (NDArray ga = a.getGradient();
          NDArray gb = b.getGradient()) {
        assertArrayEquals(new float[] {0.6f, 0f}, ga.toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0.8f}, gb.toFloatArray(), 1e-5f);
      }
    }
  }
}
