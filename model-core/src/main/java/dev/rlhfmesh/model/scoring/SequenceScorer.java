package dev.rlhfmesh.model.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.NoGrad;
import java.util.List;

/**
 * Teacher-forced scoring of responses given prompts, without autograd: per response token the
 * log-probability (raw distribution, temperature 1 — equal to what {@code DecodeEngine.generate}
 * reports for the same tokens) and the entropy. Rows are right-padded into micro-batches.
 */
public final class SequenceScorer {
  private final Gpt model;
  private final int microBatch;

  /** Per-response results; arrays are indexed like the responses. */
  public record Scores(float[][] logprobs, float[][] entropies) {}

  public SequenceScorer(Gpt model) {
    this(model, 8);
  }

  /**
   * @param microBatch rows per forward pass (bounds the (B, T, V) logits memory)
   */
  public SequenceScorer(Gpt model, int microBatch) {
    this.model = model;
    this.microBatch = microBatch;
  }

  public Scores score(List<int[]> prompts, List<int[]> responses) {
    int n = prompts.size();
    if (responses.size() != n) {
      throw new IllegalArgumentException("prompts and responses differ in number");
    }
    float[][] lp = new float[n][];
    float[][] ent = new float[n][];
    for (int from = 0; from < n; from += microBatch) {
      int to = Math.min(n, from + microBatch);
      scoreBatch(prompts, responses, from, to, lp, ent);
    }
    return new Scores(lp, ent);
  }

  private void scoreBatch(
      List<int[]> prompts, List<int[]> responses, int from, int to, float[][] lp, float[][] ent) {
    int b = to - from;
    int t = 1;
    for (int i = from; i < to; i++) {
      int len = prompts.get(i).length + responses.get(i).length;
      if (prompts.get(i).length == 0) {
        throw new IllegalArgumentException("prompt " + i + " is empty");
      }
      if (len > model.config().nPositions()) {
        throw new IllegalArgumentException(
            "sequence "
                + i
                + " has "
                + len
                + " tokens > n_positions "
                + model.config().nPositions());
      }
      t = Math.max(t, len);
    }
    long[] ids = new long[b * t];
    long[] mask = new long[b * t];
    for (int r = 0; r < b; r++) {
      int[] p = prompts.get(from + r);
      int[] s = responses.get(from + r);
      for (int j = 0; j < p.length + s.length; j++) {
        ids[r * t + j] = j < p.length ? p[j] : s[j - p.length];
        mask[r * t + j] = 1;
      }
    }
    try (NoGrad ng = NoGrad.enter();
        NDManager m = model.manager().newSubManager()) {
      NDArray idArray = m.create(ids, new Shape(b, t));
      NDArray logits = model.forward(idArray, m.create(mask, new Shape(b, t))); // (B, T, V)
      NDArray predicting = logits.get(new NDIndex(":, :-1")); // (B, T-1, V)
      NDArray targets = idArray.get(new NDIndex(":, 1:")); // (B, T-1)
      float[] lps = Logprobs.tokenLogprobs(predicting, targets).toFloatArray(); // (B, T-1)
      float[] ents = Logprobs.entropy(predicting).toFloatArray(); // (B, T-1)
      for (int r = 0; r < b; r++) {
        int pl = prompts.get(from + r).length;
        int sl = responses.get(from + r).length;
        lp[from + r] = new float[sl];
        ent[from + r] = new float[sl];
        for (int j = 0; j < sl; j++) {
          int at = r * (t - 1) + pl - 1 + j; // logits at position pl-1+j predict response token j
          lp[from + r][j] = lps[at];
          ent[from + r][j] = ents[at];
        }
      }
    }
  }
}
