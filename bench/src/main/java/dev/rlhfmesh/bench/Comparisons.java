package dev.rlhfmesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlhfmesh.model.GptConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/** Pairs our in-process samples with the peer's (medians of each) into table rows with targets. */
public final class Comparisons {
  static final Target DECODE_BATCH1 = Target.atLeast(0.7);
  static final Target PPO_ITERATION = Target.atMost(1.2);

  private Comparisons() {}

  /** Builds a row of ours against the peer from the samples under {@code key}. */
  private interface VsPeer {
    Figure of(String name, String unit, String key, Target target);
  }

  /**
   * @param ours samples by key: matmul (GFLOP/s), decode{B} (tok/s), score (tok/s), iter_generate
   *     and iter_refscore (ms: the iteration's first two parts), learn (ms), iteration (ms)
   * @param peer the peer's JSON (a missing node when it did not run)
   */
  public static List<Figure> inProcess(GptConfig c, Map<String, double[]> ours, JsonNode peer) {
    String vs = BenchMain.PEER;
    String noPeer = peer.has("torch") ? null : "peer did not run";
    List<Figure> f = new ArrayList<>();
    // one row of ours against the peer's same figure (medians of the samples under one key)
    VsPeer row =
        (name, unit, key, target) ->
            new Figure(name, unit, med(ours.get(key)), median(peer.path(key)), vs, target, noPeer);
    for (int b : BenchMain.DECODE_BATCHES) {
      f.add(
          row.of(
              "decode batch " + b + " (KV cache, greedy)",
              "tok/s",
              "decode" + b,
              b == 1 ? DECODE_BATCH1 : null));
    }
    f.add(row.of("teacher-forced scoring (256×64)", "tok/s", "score", null));
    f.add(row.of("PPO iteration part: generate (256 × 3 tokens)", "ms", "iter_generate", null));
    f.add(row.of("PPO iteration part: reference logprobs", "ms", "iter_refscore", null));
    Figure learn = row.of("PPO learn step (256 rollouts, 4×4×64)", "ms", "learn", null);
    f.add(learn);
    f.add(row.of("PPO iteration (generate + ref score + learn)", "ms", "iteration", PPO_ITERATION));
    double learnMs = learn.value();
    double peerLearnMs = learn.reference();
    int len = SyntheticRollouts.PROMPT + SyntheticRollouts.RESPONSE;
    double flops = LearnStepFlops.ppoLearnStep(c, SyntheticRollouts.ROLLOUTS, len, 4);
    // A peak is the best repeat, not the median: on a shared machine a slow repeat is other load.
    double ourPeak = ours.get("matmul") == null ? Double.NaN : Stats.max(ours.get("matmul"));
    double peerPeak = max(peer.path("matmul"));
    f.add(
        new Figure(
            "learn step achieved compute",
            "GFLOP/s",
            gflops(flops, learnMs),
            ourPeak,
            "DJL matmul 1024³ (same run)",
            null,
            null));
    f.add(
        new Figure(
            "peer learn step achieved compute",
            "GFLOP/s",
            gflops(flops, peerLearnMs),
            peerPeak,
            "peer matmul 1024³ (same run)",
            null,
            noPeer));
    f.add(
        new Figure(
            "matmul 1024³ fp32 (best repeat)", "GFLOP/s", ourPeak, peerPeak, vs, null, noPeer));
    return f;
  }

  static double gflops(double flops, double ms) {
    return Double.isNaN(ms) ? Double.NaN : flops / (ms / 1e3) / 1e9;
  }

  static double med(double[] samples) {
    return samples == null ? Double.NaN : Stats.median(samples);
  }

  /** Median of a JSON array of numbers; NaN when absent or empty. */
  static double median(JsonNode array) {
    if (array == null || !array.isArray() || array.isEmpty()) {
      return Double.NaN;
    }
    double[] v = new double[array.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = array.get(i).asDouble();
    }
    return Stats.median(v);
  }

  /** Largest element of a JSON array of numbers; NaN when absent or empty. */
  static double max(JsonNode array) {
    double m = Double.NaN;
    if (array != null && array.isArray()) {
      for (JsonNode v : array) {
        m = Stats.max(m, v.asDouble());
      }
    }
    return m;
  }

  static String joined(int[] xs) {
    return IntStream.of(xs).mapToObj(Integer::toString).collect(Collectors.joining(","));
  }
}
