package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.train.AdamW;
import dev.rlhfmesh.model.train.GradClip;
import dev.rlhfmesh.model.train.Losses;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GradientTest {
  private static final GptConfig MICRO =
      new GptConfig(11, 8, 8, 1, 2, 16, 1e-5f, "gelu_new", -1, -1);

  private static final int[][] INPUT = {{1, 4, 2, 7, 3, 9}, {5, 5, 0, 10, 2, 6}};
  private static final int[][] TARGET = {{4, 2, 7, 3, 9, 1}, {5, 0, 10, 2, 6, 8}};

  private static float loss(Gpt model, NDManager m) {
    NDArray logits = model.forward(TinyModels.ids(m, INPUT), null);
    return Losses.crossEntropy(logits, TinyModels.ids(m, TARGET), null).getFloat();
  }

  /** Gradients of the loss (name → flat float[]), optionally forcing GCs mid-step. */
  private static Map<String, float[]> gradients(Gpt model, NDManager root, boolean gcMidStep) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (NDManager m = root.newSubManager();
        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
      NDArray logits = model.forward(TinyModels.ids(m, INPUT), null);
      NDArray loss = Losses.crossEntropy(logits, TinyModels.ids(m, TARGET), null);
      if (gcMidStep) {
        for (int i = 0; i < 3; i++) {
          System.gc();
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
      gc.backward(loss);
    }
    for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
      try (NDArray g = e.getValue().getGradient()) {
        out.put(e.getKey(), g.toFloatArray());
      }
    }
    AdamW.zeroGradients(model.parameters());
    return out;
  }

  @Test
  void analyticGradients_matchFiniteDifferences() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, MICRO, 3)) {
      model.setTrainable(true);
      Map<String, float[]> grads = gradients(model, root, false);
      model.setTrainable(false); // finite differences on the inference path
      String[] names = {
        "wte.weight",
        "wpe.weight",
        "h.0.attn.c_attn.weight",
        "h.0.mlp.c_fc.bias",
        "h.0.ln_1.weight",
        "h.0.mlp.c_proj.weight",
        "ln_f.bias"
      };
      float h = 1e-2f;
      int checked = 0;
      for (String name : names) {
        NDArray p = model.parameters().get(name);
        float[] orig = p.toFloatArray();
        for (int k = 0; k < 3; k++) {
          int idx = k == 0 ? argmaxAbs(grads.get(name)) : (k * 7919 + 13) % orig.length;
          float[] plus = orig.clone();
          plus[idx] += h;
          p.set(plus);
          model.parametersChanged();
          float lp;
          try (NDManager m = root.newSubManager()) {
            lp = loss(model, m);
          }
          float[] minus = orig.clone();
          minus[idx] -= h;
          p.set(minus);
          model.parametersChanged();
          float lm;
          try (NDManager m = root.newSubManager()) {
            lm = loss(model, m);
          }
          p.set(orig);
          model.parametersChanged();
          double numeric = (lp - lm) / (2.0 * h);
          double analytic = grads.get(name)[idx];
          double err = Math.abs(numeric - analytic);
          assertTrue(
              err < 5e-5 + 0.05 * Math.abs(analytic),
              name + "[" + idx + "]: analytic " + analytic + " numeric " + numeric);
          checked++;
        }
      }
      assertTrue(checked == 21);
    }
  }

  private static int argmaxAbs(float[] a) {
    int best = 0;
    for (int i = 1; i < a.length; i++) {
      if (Math.abs(a[i]) > Math.abs(a[best])) {
        best = i;
      }
    }
    return best;
  }

  @Test
  void gcBetweenForwardAndBackward_givesIdenticalGradients() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, MICRO, 4)) {
      model.setTrainable(true);
      Map<String, float[]> calm = gradients(model, root, false);
      Map<String, float[]> stressed = gradients(model, root, true);
      for (String name : calm.keySet()) {
        assertArrayEquals(calm.get(name), stressed.get(name), 0f, name);
      }
    }
  }

  @Test
  void training_learnsRepeatingPattern() {
    GptConfig c = new GptConfig(8, 16, 32, 2, 2, 64, 1e-5f, "gelu_new", -1, -1);
    int[][] in = new int[4][15];
    int[][] tg = new int[4][15];
    for (int r = 0; r < 4; r++) {
      for (int j = 0; j < 15; j++) {
        in[r][j] = (r + j) % 8; // next token = current + 1 mod 8
        tg[r][j] = (r + j + 1) % 8;
      }
    }
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, c, 5);
        AdamW opt = new AdamW(root, 0.9, 0.95, 1e-8, 0.0)) {
      model.setTrainable(true);
      float first = 0;
      float last = 0;
      for (int step = 0; step < 60; step++) {
        try (NDManager m = root.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray loss =
              Losses.crossEntropy(
                  model.forward(TinyModels.ids(m, in), null), TinyModels.ids(m, tg), null);
          gc.backward(loss);
          float l = loss.getFloat();
          if (step == 0) {
            first = l;
          }
          last = l;
        }
        GradClip.clipGlobalNorm(model.parameters().values(), 1.0);
        opt.step(model.parameters(), 3e-3);
      }
      assertTrue(first > 1.8, "initial loss " + first);
      assertTrue(last < 0.2, "loss fell only from " + first + " to " + last);
    }
  }

  @Test
  void scalarHead_trainsTowardsTargets() {
    try (NDManager root = NDManager.newBaseManager();
        ScalarHeadModel rm = ScalarHeadModel.init(root, MICRO, 6);
        AdamW opt = new AdamW(root, 0.9, 0.95, 1e-8, 0.0)) {
      rm.setTrainable(true);
      float first = 0;
      float last = 0;
      for (int step = 0; step < 40; step++) {
        try (NDManager m = root.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray scores = rm.scores(TinyModels.ids(m, INPUT), null); // (2)
          NDArray target = m.create(new float[] {1f, -1f});
          NDArray loss = scores.sub(target).square().mean();
          gc.backward(loss);
          if (step == 0) {
            first = loss.getFloat();
          }
          last = loss.getFloat();
        }
        opt.step(rm.parameters(), 1e-2);
      }
      assertTrue(last < 0.05 && last < first / 10, first + " -> " + last);
    }
  }
}
