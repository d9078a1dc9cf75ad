package dev.rlhfmesh.bench;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.rewardsvc.core.CallContext;
import dev.rlhfmesh.rewardsvc.core.ModelScorer;
import dev.rlhfmesh.rewardsvc.model.BatchedRewardModel;
import dev.rlhfmesh.rewardsvc.model.LearnedRewardModel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Reward-model scoring throughput over gRPC against in-process, on the same weights and the same
 * batches: sequences/s of one caller scoring batches of 64 (prompt, response) samples of 16–64
 * tokens (PPO-rollout-like) back to back.
 *
 * <ul>
 *   <li>Weights: a seeded {@link ScalarHeadModel} — the benchmark's GPT backbone ({@code
 *       smallDefault(256)}, seed 1234) plus a seeded score head, untrained — written by model-core
 *       in the Hugging Face layout ({@code config.json} + {@code model.safetensors}).
 *   <li>gRPC: the packaged reward-svc serving that directory as its {@code learned} spec, {@code
 *       Score} with ids only (no tokenizer-svc call), {@code max-batch-size} 64 so one request is
 *       one forward pass.
 *   <li>In-process: reward-svc's own scoring path below its gRPC adapter and engine — {@link
 *       LearnedRewardModel#fromDirectory} behind a {@link BatchedRewardModel} with the same
 *       batching settings — in the harness JVM.
 *   <li>Threads: one intra-op and one inter-op thread on both sides (reward-svc's default {@code
 *       torch-threads=1}, and the app started with {@code ai.djl.pytorch.num_threads=1} like
 *       model-svc's rows); {@code --threads} does not apply to this row.
 * </ul>
 *
 * Both sides are warmed up ({@link #WARMUP_ROUNDS} interleaved rounds of {@link
 * #BATCHES_PER_REPEAT} batches; measured here: the app's first round ran at less than half speed,
 * the second had settled), then measured in interleaved repeats; the row is the median of each.
 * Before timing, one batch is scored on both sides and the largest score difference is checked
 * ({@link #MAX_SCORE_DIFF}) and printed in the row's note, so the two sides do the same work.
 */
final class RewardFigure {
  static final String NAME = "reward scoring over gRPC (64-seq batches)";
  static final String UNIT = "seq/s";
  static final String SPEC = "learned";
  static final int BATCH = 64;
  static final int DISTINCT_BATCHES = 4;
  static final int BATCHES_PER_REPEAT = 8;
  static final int WARMUP_ROUNDS = 3;
  static final int MIN_PROMPT = 8;
  static final int MAX_PROMPT = 24;
  static final int MIN_RESPONSE = 8;
  static final int MAX_RESPONSE = 40;
  static final int TORCH_THREADS = 1;
  static final long MAX_WAIT_MS = 5;
  static final long SEED = 1234;
  static final double MAX_SCORE_DIFF = 1e-4;

  /** One sample: prompt and response ids. */
  record Sample(int[] prompt, int[] response) {
    int[] joined() {
      int[] s = new int[prompt.length + response.length];
      System.arraycopy(prompt, 0, s, 0, prompt.length);
      System.arraycopy(response, 0, s, prompt.length, response.length);
      return s;
    }
  }

  /** Scores one batch, one score per sample in order. */
  @FunctionalInterface
  interface Scorer {
    float[] score(List<Sample> batch) throws Exception;
  }

  private RewardFigure() {}

  static Figure missing(String why) {
    return Figure.missing(NAME, UNIT, "in-process", null, why);
  }

  static Figure measure(Path jar, Path work, int repeats) {
    Path dir = work.resolve("reward-model");
    GptConfig config = GptConfig.smallDefault(BenchMain.VOCAB);
    if (MAX_PROMPT + MAX_RESPONSE > config.nPositions()) {
      return missing("samples longer than the model's " + config.nPositions() + " positions");
    }
    try {
      write(dir, config);
    } catch (Exception e) {
      return missing("writing the reward model: " + e.getMessage());
    }
    List<String> props =
        List.of(
            "rlhf.reward.specs." + SPEC + ".path=" + dir.toAbsolutePath(),
            "rlhf.reward.batching.max-batch-size=" + BATCH,
            "rlhf.reward.batching.max-wait-ms=" + MAX_WAIT_MS,
            "rlhf.reward.torch-threads=" + TORCH_THREADS,
            "rlhf.reward.admin.token=", // no admin server
            "ai.djl.pytorch.num_threads=" + TORCH_THREADS,
            "ai.djl.pytorch.num_interop_threads=1");
    try (AppProcess app = AppProcess.start(jar, props, work.resolve("reward-svc.log"), 120);
        BatchedRewardModel local =
            new BatchedRewardModel(
                LearnedRewardModel.fromDirectory(SPEC, dir),
                BATCH,
                MAX_WAIT_MS,
                BATCH * DISTINCT_BATCHES,
                size -> {},
                OptionalInt.of(TORCH_THREADS))) {
      List<List<Sample>> batches = batches(config.vocabSize());
      var stub = RewardServiceGrpc.newBlockingStub(app.channel);
      Scorer grpc = b -> grpc(stub, b);
      Scorer inProcess = b -> inProcess(local, b);
      double diff = maxAbsDiff(grpc.score(batches.get(0)), inProcess.score(batches.get(0)));
      // no '|' in notes: the table is Markdown
      String same = String.format(Locale.ROOT, "same scores (max Δ %.1e)", diff);
      if (!(diff <= MAX_SCORE_DIFF)) {
        return missing("sides disagree: " + same);
      }
      for (int w = 0; w < WARMUP_ROUNDS; w++) {
        rate(grpc, batches);
        rate(inProcess, batches);
      }
      double[] ours = new double[repeats];
      double[] ref = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        ours[r] = rate(grpc, batches);
        ref[r] = rate(inProcess, batches);
      }
      return new Figure(
          NAME,
          UNIT,
          Stats.median(ours),
          Stats.median(ref),
          "in-process",
          null,
          same + ", seeded RM, 1 thread each");
    } catch (StatusRuntimeException e) {
      return missing("reward-svc answers " + e.getStatus().getCode());
    } catch (Exception e) {
      return missing("reward-svc: " + e.getMessage());
    }
  }

  /** Writes the seeded reward model in the Hugging Face layout reward-svc loads. */
  static void write(Path dir, GptConfig config) throws Exception {
    Files.createDirectories(dir);
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(m, config, SEED)) {
      model.save(dir);
    }
  }

  static float[] grpc(RewardServiceGrpc.RewardServiceBlockingStub stub, List<Sample> batch) {
    ScoreRequest.Builder req = ScoreRequest.newBuilder().setReward(SPEC);
    for (Sample s : batch) {
      req.addSamples(
          RewardSample.newBuilder().setPrompt(ids(s.prompt)).setResponse(ids(s.response)));
    }
    ScoreResponse r = stub.withDeadlineAfter(60, TimeUnit.SECONDS).score(req.build());
    if (r.getRewardsCount() != batch.size()) {
      throw new IllegalStateException(
          r.getRewardsCount() + " rewards for " + batch.size() + " samples");
    }
    float[] out = new float[batch.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = r.getRewards(i);
    }
    return out;
  }

  private static TokenIds ids(int[] ids) {
    TokenIds.Builder t = TokenIds.newBuilder();
    for (int id : ids) {
      t.addIds(id);
    }
    return t.build();
  }

  static float[] inProcess(BatchedRewardModel model, List<Sample> batch) throws Exception {
    List<int[]> seqs = new ArrayList<>(batch.size());
    for (Sample s : batch) {
      seqs.add(s.joined());
    }
    List<ModelScorer.Scored> scored =
        model.submit(seqs, CallContext.NONE).get(60, TimeUnit.SECONDS);
    float[] out = new float[scored.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = scored.get(i).score();
    }
    return out;
  }

  /** Sequences/s of {@link #BATCHES_PER_REPEAT} batches scored back to back. */
  static double rate(Scorer scorer, List<List<Sample>> batches) throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < BATCHES_PER_REPEAT; i++) {
      scorer.score(batches.get(i % batches.size()));
    }
    return (double) BATCH * BATCHES_PER_REPEAT / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Seeded batches of {@link #BATCH} samples: prompts of 8–24 and responses of 8–40 ids in [0,
   * vocab), so 16–64 tokens each.
   */
  static List<List<Sample>> batches(int vocab) {
    SplittableRandom r = new SplittableRandom(SEED);
    List<List<Sample>> out = new ArrayList<>();
    for (int b = 0; b < DISTINCT_BATCHES; b++) {
      List<Sample> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        int p = r.nextInt(MIN_PROMPT, MAX_PROMPT + 1);
        int n = r.nextInt(MIN_RESPONSE, MAX_RESPONSE + 1);
        batch.add(new Sample(r.ints(p, 0, vocab).toArray(), r.ints(n, 0, vocab).toArray()));
      }
      out.add(batch);
    }
    return out;
  }

  /** Largest |a[i] − b[i]|; NaN when the lengths differ or a value is NaN. */
  static double maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      return Double.NaN;
    }
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      double d = Math.abs((double) a[i] - b[i]);
      if (Double.isNaN(d)) {
        return Double.NaN;
      }
      m = Math.max(m, d);
    }
    return m;
  }
}
