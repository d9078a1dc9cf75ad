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

  /**
   * @param ours samples by key: matmul (GFLOP/s), decode{B} (tok/s), score (tok/s), iter_generate
   *     and iter_refscore (ms: the iteration's first two parts), learn (ms), iteration (ms)
   * @param peer the peer's JSON (a missing node when it did not run)
   */
  public static List<Figure> inProcess(GptConfig c, Map<String, double[]> ours, JsonNode peer) {
    String vs = BenchMain.PEER;
    String noPeer = peer.has("torch") ? null : "peer did not run";
    List<Figure> f = new ArrayList<>();
    for (int b : BenchMain.DECODE_BATCHES) {
      f.add(
          new Figure(
              "decode batch " + b + " (KV cache, greedy)",
              "tok/s",
              med(ours.get("decode" + b)),
              median(peer.path("decode" + b)),
              vs,
              b == 1 ? DECODE_BATCH1 : null,
              noPeer));
    }
    f.add(
        new Figure(
            "teacher-forced scoring (256×64)",
            "tok/s",
            med(ours.get("score")),
            median(peer.path("score")),
            vs,
            null,
            noPeer));
    f.add(
        new Figure(
            "PPO iteration part: generate (256 × 3 tokens)",
            "ms",
            med(ours.get("iter_generate")),
            median(peer.path("iter_generate")),
            vs,
            null,
            noPeer));
    f.add(
        new Figure(
            "PPO iteration part: reference logprobs",
            "ms",
            med(ours.get("iter_refscore")),
            median(peer.path("iter_refscore")),
            vs,
            null,
            noPeer));
    double learnMs = med(ours.get("learn"));
    double peerLearnMs = median(peer.path("learn"));
    f.add(
        new Figure(
            "PPO learn step (256 rollouts, 4×4×64)", "ms", learnMs, peerLearnMs, vs, null, noPeer));
    f.add(
        new Figure(
            "PPO iteration (generate + ref score + learn)",
            "ms",
            med(ours.get("iteration")),
            median(peer.path("iteration")),
            vs,
            PPO_ITERATION,
            noPeer));
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
