package dev.rlhfmesh.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.Sampler;
import dev.rlhfmesh.model.scoring.SequenceScorer;
import dev.rlhfmesh.trainersvc.learn.PpoLearner;
import dev.rlhfmesh.trainersvc.learn.PpoSettings;
import dev.rlhfmesh.trainersvc.learn.Rollout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Our side of each in-process figure, measured exactly as the peer measures its own (same shapes,
 * thread counts, warm-up and repeats; see bench/peer/peer.py): raw samples, medians taken later.
 */
public final class DjlFigures implements AutoCloseable {
  /** A timed action. */
  @FunctionalInterface
  interface Action {
    void run() throws Exception;
  }

  private final Gpt model;
  private final int warmup;
  private final int repeats;
  private final int threads;

  /** Each call of a figure runs {@code warmup} untimed and {@code repeats} timed passes. */
  public DjlFigures(Gpt model, int warmup, int repeats, int threads) {
    this.model = model;
    this.warmup = warmup;
    this.repeats = repeats;
    this.threads = threads;
  }

  /** Seconds of each repeat after {@code warmup} untimed runs. */
  double[] timed(Action a) throws Exception {
    for (int i = 0; i < warmup; i++) {
      a.run();
    }
    double[] s = new double[repeats];
    for (int i = 0; i < repeats; i++) {
      long t = System.nanoTime();
      a.run();
      s[i] = (System.nanoTime() - t) / 1e9;
    }
    return s;
  }

  /** GFLOP/s of a 1024³ fp32 matmul through DJL (the machine's practical limit for this engine). */
  public double[] matmulGflops(NDManager root) throws Exception {
    JniUtils.setNumThreads(threads);
    try (NDManager m = root.newSubManager()) {
      NDArray a = m.randomNormal(new Shape(1024, 1024));
      NDArray b = m.randomNormal(new Shape(1024, 1024));
      double[] s =
          timed(
              () -> {
                try (NDArray c = a.matMul(b)) {
                  c.getFloat(0, 0); // forces completion
                }
              });
      return per(2.0 * 1024 * 1024 * 1024 / 1e9, s);
    }
  }

  /** Last-position logits of the prompt 1..8 and 16 greedy tokens (parity with the peer). */
  public float[] parityLogits() {
    try (DecodeEngine e = new DecodeEngine(model, 1, model.config().nPositions())) {
      return e.prefill(e.allocate(), parityPrompt());
    }
  }

  public int[] parityGreedy() {
    return generate(List.of(parityPrompt()), 16)[0];
  }

  private int[] parityPrompt() {
    int[] p = new int[8];
    for (int i = 0; i < 8; i++) {
      p[i] = (i + 1) % model.config().vocabSize();
    }
    return p;
  }

  /** Greedy batched generation with the KV cache: prefill then one lockstep step per token. */
  int[][] generate(List<int[]> prompts, int newTokens) {
    int b = prompts.size();
    int maxLen = prompts.get(0).length + newTokens;
    try (DecodeEngine e = new DecodeEngine(model, b, maxLen)) {
      int[] slots = new int[b];
      for (int i = 0; i < b; i++) {
        slots[i] = e.allocate();
      }
      int[][] out = new int[b][newTokens];
      float[][] logits = e.prefill(slots, prompts);
      int[] last = new int[b];
      for (int t = 0; t < newTokens; t++) {
        for (int i = 0; i < b; i++) {
          last[i] = Sampler.argmax(logits[i]);
          out[i][t] = last[i];
        }
        if (t + 1 < newTokens) {
          logits = e.decodeStep(slots, last);
        }
      }
      return out;
    }
  }

  /** Decode tokens/s (prefill included) at one batch size: prompt {@code promptLen}, rest new. */
  public double[] decodeTokensPerSecond(int batch, int promptLen, long seed) throws Exception {
    JniUtils.setNumThreads(batch == 1 ? 1 : threads);
    GptConfig c = model.config();
    int newTokens = c.nPositions() - promptLen;
    List<int[]> prompts = randomRows(batch, promptLen, c.vocabSize(), seed);
    double[] s = timed(() -> generate(prompts, newTokens));
    return per((double) batch * newTokens, s);
  }

  /** Teacher-forced scoring tokens/s: rows × n_positions tokens in micro-batches. */
  public double[] scoreTokensPerSecond(int rows, int micro, long seed) throws Exception {
    JniUtils.setNumThreads(threads);
    GptConfig c = model.config();
    int promptLen = 8;
    List<int[]> prompts = randomRows(rows, promptLen, c.vocabSize(), seed);
    List<int[]> responses = randomRows(rows, c.nPositions() - promptLen, c.vocabSize(), seed + 1);
    SequenceScorer scorer = new SequenceScorer(model, micro);
    double[] s = timed(() -> scorer.score(prompts, responses));
    return per((double) rows * c.nPositions(), s);
  }

  private PpoLearner learner;
  private List<Rollout> batch;

  /**
   * Uses trainer-svc's {@link PpoLearner} (demo settings, value head on the policy) on this batch
   * for the "learn" and "iteration" figures; the learner lives until {@link #close()}.
   */
  public void setPpoBatch(Path modelDir, List<Rollout> rollouts) {
    this.learner = PpoLearner.create(PpoSettings.demoDefaults(), modelDir, null, 7);
    this.batch = rollouts;
  }

  /** PPO learn step, ms. */
  public double[] learnMs() throws Exception {
    JniUtils.setNumThreads(threads);
    return scale(timed(() -> learner.learn(batch)), 1000);
  }

  /**
   * The in-process PPO iteration around the learn step, ms: generate the batch's responses, score
   * them under the reference (the same weights), learn. {@code part} "generate" or "refscore" times
   * that part alone (the iteration's split), "all" the whole.
   */
  public double[] iterationMs(String part) throws Exception {
    JniUtils.setNumThreads(threads);
    List<int[]> prompts = new ArrayList<>();
    List<int[]> responses = new ArrayList<>();
    for (Rollout r : batch) {
      prompts.add(r.prompt());
      responses.add(r.response());
    }
    int newTokens = batch.get(0).response().length;
    SequenceScorer reference = new SequenceScorer(model, 64);
    Action work =
        switch (part) {
          case "generate" -> () -> generate(prompts, newTokens);
          case "refscore" -> () -> reference.score(prompts, responses);
          case "all" ->
              () -> {
                generate(prompts, newTokens);
                reference.score(prompts, responses);
                learner.learn(batch);
              };
          default -> throw new IllegalArgumentException("unknown iteration part " + part);
        };
    return scale(timed(work), 1000);
  }

  /** Samples of one figure by the peer's name for it. */
  public double[] figure(NDManager root, String name, int promptLen) throws Exception {
    if (name.equals("matmul")) {
      return matmulGflops(root);
    }
    if (name.startsWith("decode")) {
      return decodeTokensPerSecond(Integer.parseInt(name.substring(6)), promptLen, 3);
    }
    return switch (name) {
      case "score" -> scoreTokensPerSecond(BenchMain.SCORE_ROWS, BenchMain.SCORE_MICRO, 5);
      case "learn" -> learnMs();
      case "iter_generate" -> iterationMs("generate");
      case "iter_refscore" -> iterationMs("refscore");
      case "iteration" -> iterationMs("all");
      default -> throw new IllegalArgumentException("unknown figure " + name);
    };
  }

  @Override
  public void close() {
    if (learner != null) {
      learner.close();
    }
  }

  static List<int[]> randomRows(int rows, int len, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      out.add(r.ints(len, 0, vocab).toArray());
    }
    return out;
  }

  static double[] per(double amount, double[] seconds) {
    double[] out = new double[seconds.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = amount / seconds[i];
    }
    return out;
  }

  static double[] scale(double[] x, double k) {
    double[] out = new double[x.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = x[i] * k;
    }
    return out;
  }
}
