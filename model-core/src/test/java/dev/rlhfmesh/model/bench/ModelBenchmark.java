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
import dev.rlhfmesh.model.gpt.NativeStep;
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
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  /** Intra-op thread counts to try: -Dbench.threads=1,2 (default). */
  private static final int[] THREADS =
      java.util.Arrays.stream(System.getProperty("bench.threads", "1,2").split(","))
          .mapToInt(Integer::parseInt)
          .toArray();

  /** Runs of each figure (-Dbench.repeats, default 3); the median is printed. */
  private static final int REPEATS = Integer.getInteger("bench.repeats", 3);

  /** Prompt tokens prefilled before each timed decode run. */
  private static final int PROMPT_LEN = 8;

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
      System.out.printf("load average at start: %s%n", loadAverage());
      System.out.printf("cached passes: %s%n", NativeStep.describe());
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
        for (int threads : THREADS) {
          JniUtils.setNumThreads(threads);
          double[] r = median(() -> decodeTokensPerSecond(model, batch, maxLen, steps));
          double[] djl =
              NativeStep.enabled()
                  ? withDjlOps(
                      () -> median(() -> decodeTokensPerSecond(model, batch, maxLen, steps)))
                  : null;
          double[] bound = median(() -> matmulBoundTokensPerSecond(model, batch, steps, 0));
          int context = (PROMPT_LEN + maxLen) / 2; // mean keys per step in the decode run
          double[] withAtt = median(() -> matmulBoundTokensPerSecond(model, batch, steps, context));
          String cpu =
              threads == 1 ? String.format(" | %,9.0f tok/s by thread CPU time", r[1]) : "";
          String ops =
              batch == 1
                  ? String.format(
                      "  [%.0f us/token wall; %s per token]", 1e6 / r[0], opsPerToken(c))
                  : "";
          System.out.printf(
              "decode batch %2d, %d thread(s): %,9.0f tok/s wall%s%s%n",
              batch, threads, r[0], cpu, ops);
          if (djl != null) {
            int k = threads == 1 ? 1 : 0;
            System.out.printf(
                "    same run, as DJL ops: %,9.0f tok/s %s (native step %.2fx)%n",
                djl[k], k == 1 ? "by thread CPU time" : "wall", r[k] / djl[k]);
          }
          int k = threads == 1 ? 1 : 0; // by CPU time when single-threaded, else wall
          System.out.printf(
              "    matmul-bound rate (%s): weight matmuls alone %,9.0f tok/s (decode %.2fx below);"
                  + " + attention matmuls at %d keys %,9.0f tok/s (decode %.2fx below)%n",
              k == 1 ? "by thread CPU time" : "wall",
              bound[k],
              bound[k] / r[k],
              context,
              withAtt[k],
              withAtt[k] / r[k]);
        }
      }
      JniUtils.setNumThreads(1);
      for (int rows : new int[] {1, 16}) {
        int len = Math.min(maxLen, 64);
        double[] j = median(() -> joinMicros(model, rows, PROMPT_LEN, len));
        System.out.printf(
            "a %d-token prompt joining %2d decode rows, 1 thread, us of thread CPU: decode step"
                + " alone %.0f; prompt in the same packed pass %.0f (+%.0f); step then a prefill"
                + " pass of its own %.0f (+%.0f)%n",
            PROMPT_LEN, rows, j[0], j[1], j[1] - j[0], j[2], j[2] - j[0]);
        if (NativeStep.enabled()) {
          double[] d = withDjlOps(() -> median(() -> joinMicros(model, rows, PROMPT_LEN, len)));
          System.out.printf(
              "    same run, as DJL ops: step alone %.0f; prompt packed in %.0f (+%.0f)%n",
              d[0], d[1], d[1] - d[0]);
        }
      }
      for (int threads : THREADS) {
        JniUtils.setNumThreads(threads);
        double ms = trainStepMillis(root, model, trainBatch, trainLen, trainSteps);
        System.out.printf(
            "train step (batch %d x %d tokens, fwd+bwd+clip+AdamW, %d thread(s)): %.1f ms%n",
            trainBatch, trainLen, threads, ms);
      }
    }
  }

  /** A measurement with DJL ops instead of the native step (the path GPUs take). */
  static double[] withDjlOps(java.util.function.Supplier<double[]> measurement) {
    NativeStep.setEnabled(false);
    try {
      return measurement.get();
    } finally {
      NativeStep.setEnabled(true);
    }
  }

  /** Runs a measurement {@link #REPEATS} times; the median of each figure. */
  static double[] median(java.util.function.Supplier<double[]> measurement) {
    double[][] runs = new double[REPEATS][];
    for (int i = 0; i < REPEATS; i++) {
      runs[i] = measurement.get();
    }
    double[] out = new double[runs[0].length];
    for (int k = 0; k < out.length; k++) {
      double[] v = new double[REPEATS];
      for (int i = 0; i < REPEATS; i++) {
        v[i] = runs[i][k];
      }
      java.util.Arrays.sort(v);
      out[k] = v[REPEATS / 2];
    }
    return out;
  }

  /**
   * Native tensor ops (JNI calls that run an ATen op, in-place ones included) in one batch-1 decode
   * step over a whole cache, counted from the source (and checked with torch's profiler). As DJL
   * ops ({@code Gpt.nextLogitsStep}): token row view, position row view, add; per layer ln_1,
   * c_attn (mm + bias), reshape, split, k|v transpose, cache write, q reshape, q kᵀ, scale,
   * softmax, att v, reshape, c_proj (2), residual, ln_2, c_fc (2), gelu (5 exact, 6 gelu_new),
   * c_proj (2), residual = 27 (28) per layer (the key/value views of each length are made once per
   * cache); ln_f, LM head. Each created array is also freed (one more native call) when the step's
   * manager closes. As the native step: one call, plus one op that wraps the logits.
   */
  static String opsPerToken(GptConfig c) {
    if (NativeStep.enabled()) {
      return "1 native step call + 1 tensor op";
    }
    int gelu = "gelu".equals(c.activation()) ? 0 : 1;
    return String.format("%d native tensor ops", 3 + c.nLayer() * (27 + gelu) + 2);
  }

  /**
   * {tokens/s, tokens/s by thread CPU time} if a decode step of {@code batch} rows cost only its
   * matmuls: (B, C) x W for c_attn, attn.c_proj, c_fc and mlp.c_proj of every layer plus (B, C) x
   * wteᵀ for the LM head, on the model's own weights; with {@code context} > 0 also each layer's
   * attention q kᵀ and att v over {@code context} cached keys (per-layer random K/V of that
   * length), as the decode step runs them. Timed alone: no norms, biases, activations, cache writes
   * or Java-side work.
   */
  static double[] matmulBoundTokensPerSecond(Gpt model, int batch, int steps, int context) {
    GptConfig c = model.config();
    java.util.Map<String, NDArray> p = model.parameters();
    List<NDArray> weights = new ArrayList<>();
    for (int l = 0; l < c.nLayer(); l++) {
      for (String w : new String[] {"attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"}) {
        weights.add(p.get("h." + l + "." + w + ".weight")); // (in, out)
      }
    }
    long rows = (long) batch * c.nHead();
    try (NDManager m = model.manager().newSubManager()) {
      NDArray wteT = p.get("wte.weight").transpose(); // (C, V) view
      wteT.attach(m);
      NDArray x = m.randomNormal(new Shape(batch, c.nEmbd())); // (B, C)
      NDArray h = m.randomNormal(new Shape(batch, c.nInner())); // (B, 4C)
      NDArray q = m.randomNormal(new Shape(rows, 1, c.headDim())); // (B*H, 1, D)
      NDArray att = m.randomNormal(new Shape(rows, 1, Math.max(context, 1))); // (B*H, 1, S)
      List<NDArray> keysT = new ArrayList<>();
      List<NDArray> values = new ArrayList<>();
      for (int l = 0; context > 0 && l < c.nLayer(); l++) {
        keysT.add(m.randomNormal(new Shape(rows, context, c.headDim())).swapAxes(1, 2));
        values.add(m.randomNormal(new Shape(rows, context, c.headDim()))); // (B*H, S, D)
      }
      long wall = 0;
      long cpu = 0;
      for (int step = -Math.max(2, steps / 4); step < steps; step++) {
        long t = System.nanoTime();
        long t0 = CPU.getCurrentThreadCpuTime();
        try (NDManager s = m.newSubManager()) {
          for (int i = 0; i < weights.size(); i++) {
            NDArray w = weights.get(i);
            NDArray in = w.getShape().get(0) == c.nEmbd() ? x : h;
            in.matMul(w).attach(s); // (B, in) x (in, out)
            if (context > 0 && i % 4 == 0) { // after c_attn: the layer's attention
              q.batchMatMul(keysT.get(i / 4)).attach(s); // (B*H, 1, D) x (B*H, D, S)
              att.batchMatMul(values.get(i / 4)).attach(s); // (B*H, 1, S) x (B*H, S, D)
            }
          }
          x.matMul(wteT).attach(s); // (B, C) x (C, V)
        }
        if (step >= 0) {
          wall += System.nanoTime() - t;
          cpu += CPU.getCurrentThreadCpuTime() - t0;
        }
      }
      double tokens = (double) batch * steps;
      return new double[] {tokens / (wall / 1e9), tokens / (cpu / 1e9)};
    }
  }

  /**
   * What a prompt joining {@code rows} running sequences costs, in µs of this thread's CPU: {a
   * decode step of the rows alone, the step with the prompt packed into the same pass, the step
   * followed by a prefill pass of the prompt's own}. The three are interleaved step by step; the
   * running rows hold 8 to {@code maxLen} - 1 tokens.
   */
  static double[] joinMicros(Gpt model, int rows, int promptLen, int maxLen) {
    Random r = new Random(5);
    int v = model.config().vocabSize();
    try (DecodeEngine engine = new DecodeEngine(model, rows + 1, maxLen)) {
      int[] slots = new int[rows];
      for (int i = 0; i < rows; i++) {
        slots[i] = engine.allocate();
      }
      int joiner = engine.allocate();
      int[] withJoiner = java.util.Arrays.copyOf(slots, rows + 1);
      withJoiner[rows] = joiner;
      double[] total = new double[3];
      int[] count = new int[3];
      for (int round = 0; round < 12; round++) {
        List<int[]> prompts = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
          engine.cache().reset(slots[i]);
          prompts.add(randomTokens(r, PROMPT_LEN, v));
        }
        engine.prefill(slots, prompts);
        for (int s = PROMPT_LEN; s < maxLen - 1; s++) {
          int kind = s % 3;
          int[] last = randomTokens(r, rows, v);
          int[] prompt = randomTokens(r, promptLen, v);
          engine.cache().reset(joiner);
          long t0 = CPU.getCurrentThreadCpuTime();
          if (kind == 0) {
            engine.decodeStep(slots, last);
          } else if (kind == 1) {
            int[][] tokens = new int[rows + 1][];
            for (int i = 0; i < rows; i++) {
              tokens[i] = new int[] {last[i]};
            }
            tokens[rows] = prompt;
            engine.append(withJoiner, tokens);
          } else {
            engine.decodeStep(slots, last);
            engine.prefill(joiner, prompt);
          }
          if (round >= 2) { // the first rounds warm the JIT up
            total[kind] += CPU.getCurrentThreadCpuTime() - t0;
            count[kind]++;
          }
        }
      }
      return new double[] {
        total[0] / count[0] / 1e3, total[1] / count[1] / 1e3, total[2] / count[2] / 1e3
      };
    }
  }

  private static int[] randomTokens(Random r, int n, int vocab) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(vocab);
    }
    return t;
  }

  /** {tokens/s by wall clock, tokens/s by this thread's CPU time (meaningful with 1 thread)}. */
  static double[] decodeTokensPerSecond(Gpt model, int batch, int maxLen, int steps) {
    Random r = new Random(3);
    int v = model.config().vocabSize();
    int promptLen = PROMPT_LEN;
    try (DecodeEngine engine = new DecodeEngine(model, batch, maxLen)) {
      int[] slots = new int[batch];
      for (int i = 0; i < batch; i++) {
        slots[i] = engine.allocate();
      }
      long decodeNanos = 0;
      long cpuNanos = 0;
      int decoded = 0;
      int warmup = Math.max(20, steps / 2); // JIT-compile the Java side before timing
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
          long cpu = CPU.getCurrentThreadCpuTime();
          logits = engine.decodeStep(slots, last);
          if (done >= 0) {
            decodeNanos += System.nanoTime() - t;
            cpuNanos += CPU.getCurrentThreadCpuTime() - cpu;
            decoded += batch;
          }
        }
      }
      return new double[] {decoded / (decodeNanos / 1e9), decoded / (cpuNanos / 1e9)};
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

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "?";
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
