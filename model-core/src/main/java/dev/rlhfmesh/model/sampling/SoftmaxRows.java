package dev.rlhfmesh.model.sampling;

import dev.rlhfmesh.model.gpt.NativeStep;

/**
 * The softmax numerators of rows of logits (B × V, flat): per row the weights {@code w_i = exp(l_i
 * - max)}, the max, {@code Z = sum w_i} and {@code sum w_i (l_i - max)} — all {@link Sampler} needs
 * for the draw, the chosen token's logprob ({@code l - max - log Z}) and the entropy ({@code log Z
 * - sum w (l - max) / Z}).
 *
 * <p>Where model-core's native library is loaded (see {@link NativeStep}) the exponentials run in
 * it ({@code src/main/c/softmax_rows.c}): 8-float vectors, ~1 ulp, one call for every row of a
 * step. In Java each is a {@code Math.exp} call, ~4.7 ns per logit — 2.4 of the 3.2 us a sampling
 * call took at a 512-token vocabulary, and 12-16% of model-svc's decode thread at 16 clients
 * (profiled). The two agree to a few float ulps (the same token is drawn unless the uniform number
 * falls within that of a boundary); {@code -Drlhf.native.decode=false} turns both native parts off.
 */
public final class SoftmaxRows {
  private final int vocab;
  private final float[] weights;
  private final double[] stats; // per row: max, Z, sum w (l - max)

  /**
   * Room for up to {@code maxRows} rows of {@code vocab} logits; {@link #fill} reuses it step after
   * step (a decode loop then allocates no weights per step).
   */
  public SoftmaxRows(int maxRows, int vocab) {
    if (maxRows < 1 || vocab < 1 || (long) maxRows * vocab > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(maxRows + " rows of " + vocab + " logits");
    }
    this.vocab = vocab;
    this.weights = new float[maxRows * vocab];
    this.stats = new double[3 * maxRows];
  }

  /** The softmax numerators of {@code rows} rows of {@code vocab} logits each, in a new object. */
  public static SoftmaxRows of(float[] logits, int rows, int vocab) {
    return of(logits, rows, vocab, NativeStep.enabled());
  }

  /** As {@link #of(float[], int, int)}, in native code or in Java as asked (tests compare them). */
  static SoftmaxRows of(float[] logits, int rows, int vocab, boolean useNative) {
    return new SoftmaxRows(Math.max(rows, 1), vocab).fill(logits, rows, useNative);
  }

  /** Replaces this object's rows with those of the first {@code rows} rows of {@code logits}. */
  public SoftmaxRows fill(float[] logits, int rows) {
    return fill(logits, rows, NativeStep.enabled());
  }

  private SoftmaxRows fill(float[] logits, int rows, boolean useNative) {
    if (rows < 1 || rows * 3 > stats.length || logits.length < (long) rows * vocab) {
      throw new IllegalArgumentException(
          rows
              + " rows of "
              + vocab
              + " logits (room for "
              + stats.length / 3
              + "), but the array holds "
              + logits.length);
    }
    if (useNative) {
      fillRows(logits, rows, vocab, weights, stats);
    } else {
      for (int r = 0; r < rows; r++) {
        fillRow(logits, r * vocab, vocab, weights, stats, 3 * r);
      }
    }
    return this;
  }

  private static void fillRow(float[] l, int from, int v, float[] w, double[] s, int at) {
    float max = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < v; i++) {
      max = Math.max(max, l[from + i]);
    }
    double z = 0;
    double dot = 0;
    for (int i = 0; i < v; i++) {
      double shifted = l[from + i] - max;
      double e = Math.exp(shifted);
      w[from + i] = (float) e;
      z += e;
      if (e > 0) { // a masked (-inf) logit adds nothing, not 0 * -inf
        dot += e * shifted;
      }
    }
    s[at] = max;
    s[at + 1] = z;
    s[at + 2] = dot;
  }

  private static native void fillRows(
      float[] logits, int rows, int vocab, float[] weights, double[] stats);

  /** Logits per row. */
  public int vocab() {
    return vocab;
  }

  /** The weights of every row, flat: row {@code r} starts at {@code r * vocab()}. */
  float[] weights() {
    return weights;
  }

  /** Row {@code r}'s largest logit. */
  public float max(int r) {
    return (float) stats[3 * r];
  }

  /** Row {@code r}'s {@code Z = sum exp(l_i - max)}. */
  public double z(int r) {
    return stats[3 * r + 1];
  }

  /** Row {@code r}'s {@code sum exp(l_i - max) (l_i - max)}. */
  public double dot(int r) {
    return stats[3 * r + 2];
  }
}
