package dev.rlhfmesh.model.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.Sampler;
import dev.rlhfmesh.model.train.AdamW;
import dev.rlhfmesh.model.train.GradClip;
import dev.rlhfmesh.model.train.Losses;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Decode and train-step speed of the small default and a GPT-2-small-sized model (random weights).
 * Not a test. Run:
 *
 * <pre>
 * ./mvnw -q -pl model-core exec:java -Dexec.mainClass=dev.rlhfmesh.model.bench.ModelBenchmark \
 *     -Dexec.classpathScope=test [-Dexec.args="small"]
 * </pre>
 */
public final class ModelBenchmark {
  private ModelBenchmark() {}

  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    System.setProperty("ai.djl.default_engine", "PyTorch");
    String which = args.length > 0 ? args[0] : "all";
    Engine.getInstance();
    JniUtils.setNumInteropThreads(1);
    try (NDManager root = NDManager.newBaseManager()) {
      double perOpUs = perOpMicros(root);
      System.out.printf("per-op overhead (1-element add + free): %.2f us%n", perOpUs);
      if (!which.equals("gpt2")) {
        GptConfig small = GptConfig.smallDefault(256);
        run(root, "small default (vocab 256)", small, 64, 400, 16, 64, 20, perOpUs);
      }
      if (!which.equals("small")) {
        double gbs = bandwidthGBs(root);
        GptConfig g = GptConfig.gpt2Small();
        System.out.printf("memory bandwidth (torch sum over 512 MiB): %.1f GB/s%n", gbs);
        double bytes = g.parameterCount() * 4.0;
        System.out.printf(
            "GPT-2 small: %,d params = %.0f MB F32; bandwidth bound at batch 1: %.1f tok/s%n",
            g.parameterCount(), bytes / 1e6, gbs * 1e9 / bytes);
        run(root, "GPT-2 small shape (124M, random)", g, 128, 12, 4, 128, 2, perOpUs);
      }
    }
  }

  private static void run(
      NDManager root,
      String label,
      GptConfig c,
      int maxLen,
      int steps,
      int trainBatch,
      int trainLen,
      int trainSteps,
      double perOpUs) {
    System.out.printf("%n== %s: %,d parameters ==%n", label, c.parameterCount());
    long t0 = System.nanoTime();
    try (Gpt model = Gpt.init(root, c, 1)) {
      System.out.printf("init: %.1f s%n", (System.nanoTime() - t0) / 1e9);
      for (int batch : new int[] {1, 8, 32}) {
        for (int threads : batch == 1 ? new int[] {1, 2} : new int[] {2}) {
          JniUtils.setNumThreads(threads);
          double tps = decodeTokensPerSecond(model, batch, maxLen, steps);
          String ops =
              batch == 1
                  ? String.format(
                      "  (~%.0f us/token = ~%.0f op-equivalents at %.2f us/op; ~%d tensor ops"
                          + " counted per token)",
                      1e6 / tps, 1e6 / tps / perOpUs, perOpUs, opsPerToken(c))
                  : "";
          System.out.printf(
              "decode batch %2d, %d thread(s): %,9.0f tok/s%s%n", batch, threads, tps, ops);
        }
      }
      JniUtils.setNumThreads(2);
      double ms = trainStepMillis(root, model, trainBatch, trainLen, trainSteps);
      System.out.printf(
          "train step (batch %d x %d tokens, fwd+bwd+clip+AdamW, 2 threads): %.1f ms%n",
          trainBatch, trainLen, ms);
    }
  }

  /** Tensor ops in one batch-1 decode step of this code (counted from the source). */
  static int opsPerToken(GptConfig c) {
    int embed = 2 + 3; // ids + positions arrays, two embeddings, add
    int perLayer = 31; // ln, qkv, reshape, permute, 3 gets, 2 cache writes, 2 cache views, ...
    if ("gelu".equals(c.activation())) {
      perLayer -= 5;
    }
    int head = 4; // ln_f, reshape, lm head matmul, copy out
    return embed + c.nLayer() * perLayer + head;
  }

  static double decodeTokensPerSecond(Gpt model, int batch, int maxLen, int steps) {
    Random r = new Random(3);
    int v = model.config().vocabSize();
    int promptLen = 8;
    try (DecodeEngine engine = new DecodeEngine(model, batch, maxLen)) {
      int[] slots = new int[batch];
      for (int i = 0; i < batch; i++) {
        slots[i] = engine.allocate();
      }
      long decodeNanos = 0;
      int decoded = 0;
      int warmup = Math.min(20, steps / 2);
      int done = -warmup;
      while (done < steps) {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
          engine.cache().reset(slots[i]);
          int[] p = new int[promptLen];
          for (int j = 0; j < promptLen; j++) {
            p[j] = r.nextInt(v);
          }
          prompts.add(p);
        }
        float[][] logits = engine.prefill(slots, prompts);
        int[] last = new int[batch];
        for (int s = promptLen; s < maxLen && done < steps; s++, done++) {
          for (int i = 0; i < batch; i++) {
            last[i] = Sampler.argmax(logits[i]);
          }
          long t = System.nanoTime();
          logits = engine.decodeStep(slots, last);
          if (done >= 0) {
            decodeNanos += System.nanoTime() - t;
            decoded += batch;
          }
        }
      }
      return decoded / (decodeNanos / 1e9);
    }
  }

  static double trainStepMillis(NDManager root, Gpt model, int batch, int len, int steps) {
    Random r = new Random(4);
    int v = model.config().vocabSize();
    model.setTrainable(true);
    try (AdamW opt = AdamW.withDefaults(root)) {
      long total = 0;
      for (int step = -1; step < steps; step++) {
        long[] ids = new long[batch * (len + 1)];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = r.nextInt(v);
        }
        long t = System.nanoTime();
        try (NDManager m = root.newSubManager();
            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
          NDArray all = m.create(ids, new Shape(batch, len + 1));
          NDArray in = all.get(":, :-1");
          NDArray target = all.get(":, 1:");
          NDArray loss = Losses.crossEntropy(model.forward(in, null), target, null);
          gc.backward(loss);
        }
        GradClip.clipGlobalNorm(model.parameters().values(), 1.0);
        opt.step(model.parameters(), 1e-4);
        if (step >= 0) {
          total += System.nanoTime() - t;
        }
      }
      return total / 1e6 / steps;
    } finally {
      model.setTrainable(false);
    }
  }

  static double perOpMicros(NDManager root) {
    try (NDManager m = root.newSubManager()) {
      NDArray a = m.create(new float[] {1f});
      NDArray b = m.create(new float[] {2f});
      int n = 20000;
      long t = 0;
      for (int rep = 0; rep < 2; rep++) {
        long s = System.nanoTime();
        for (int i = 0; i < n; i++) {
          a.add(b).close();
        }
        t = System.nanoTime() - s;
      }
      return t / 1e3 / n;
    }
  }

  static double bandwidthGBs(NDManager root) {
    try (NDManager m = root.newSubManager()) {
      NDArray big = m.ones(new Shape(128L * 1024 * 1024)); // 512 MiB
      big.sum().close();
      long s = System.nanoTime();
      int reps = 5;
      for (int i = 0; i < reps; i++) {
        big.sum().close();
      }
      double sec = (System.nanoTime() - s) / 1e9;
      return reps * big.size() * 4.0 / sec / 1e9;
    }
  }
}
