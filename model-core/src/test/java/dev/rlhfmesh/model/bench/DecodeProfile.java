package dev.rlhfmesh.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;

/** Where batch-1 decode time goes (throwaway profiling aid). */
public final class DecodeProfile {
  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    Engine.getInstance();
    JniUtils.setNumThreads(1);
    JniUtils.setNumInteropThreads(1);
    try (NDManager root = NDManager.newBaseManager()) {
      for (int layers : new int[] {1, 4, 8}) {
        GptConfig c = new GptConfig(256, 64, 128, layers, 4, 512, 1e-5f, "gelu_new", -1, -1);
        try (Gpt m = Gpt.init(root, c, 1)) {
          double tps = ModelBenchmark.decodeTokensPerSecond(m, 1, 64, 600);
          System.out.printf("layers %d: %.0f tok/s, %.0f us/token%n", layers, tps, 1e6 / tps);
        }
      }
      try (NDManager m = root.newSubManager()) {
        NDArray x = m.randomNormal(new Shape(1, 1, 128));
        NDArray w = m.randomNormal(new Shape(512, 128));
        NDArray b = m.zeros(new Shape(512));
        NDArray g = m.ones(new Shape(128));
        NDArray bb = m.zeros(new Shape(128));
        time("add", () -> x.add(x).close());
        time("linear 128->512", () -> Linear.linear(x, w, b).singletonOrThrow().close());
        time("layerNorm", () -> LayerNorm.layerNorm(x, new Shape(128), g, bb, 1e-5f).close());
        time("reshape", () -> x.reshape(1, 4, 32).close());
        time("get(0)", () -> x.get(0).close());
        time("get str", () -> x.get("0:1, :, 0:64").close());
        time("softmax", () -> x.softmax(-1).close());
        time("toFloatArray", () -> x.toFloatArray());
        time("create long[2]", () -> m.create(new long[] {1, 2}, new Shape(1, 2)).close());
      }
    }
  }

  static void time(String name, Runnable r) {
    for (int i = 0; i < 2000; i++) {
      r.run();
    }
    int n = 20000;
    long s = System.nanoTime();
    for (int i = 0; i < n; i++) {
      r.run();
    }
    System.out.printf("%-20s %.2f us%n", name, (System.nanoTime() - s) / 1e3 / n);
  }
}
