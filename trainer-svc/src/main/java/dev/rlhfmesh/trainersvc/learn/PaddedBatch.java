package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Prompt + response sequences right-padded into one (B, L) batch, with the attention mask and the
 * "action" coordinates used by every loss.
 *
 * <p>Action position t (0 ≤ t &lt; L − 1) is the prediction of token t + 1 from tokens 0..t: the
 * logits of a forward pass sliced {@code [:, :-1]} and the ids sliced {@code [:, 1:]} line up with
 * it. Response token j of row r sits at action position {@code promptLength(r) − 1 + j}; the action
 * mask is 1 exactly there. Padding is known from the masks only, never from a pad id (pad positions
 * hold id 0).
 */
public final class PaddedBatch {
  private final int rows;
  private final int length;
  private final int[] promptLen;
  private final int[] responseLen;
  private final long[] ids; // (B, L)
  private final long[] attention; // (B, L)

  private PaddedBatch(int rows, int length, int[] promptLen, int[] responseLen, long[] ids) {
    this.rows = rows;
    this.length = length;
    this.promptLen = promptLen;
    this.responseLen = responseLen;
    this.ids = ids;
    this.attention = new long[rows * length];
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < promptLen[r] + responseLen[r]; j++) {
        attention[r * length + j] = 1;
      }
    }
  }

  /**
   * @param prompts non-empty token ids per row
   * @param responses token ids per row (may be empty)
   * @param maxPositions the model's n_positions: longer sequences are rejected
   */
  public static PaddedBatch of(List<int[]> prompts, List<int[]> responses, int maxPositions) {
    int b = prompts.size();
    if (b == 0 || responses.size() != b) {
      throw new IllegalArgumentException(
          "need as many responses as prompts, at least one: " + b + " vs " + responses.size());
    }
    int[] pl = new int[b];
    int[] rl = new int[b];
    int l = 2;
    for (int r = 0; r < b; r++) {
      pl[r] = prompts.get(r).length;
      rl[r] = responses.get(r).length;
      if (pl[r] == 0) {
        throw new IllegalArgumentException("prompt " + r + " is empty");
      }
      if (pl[r] + rl[r] > maxPositions) {
        throw new IllegalArgumentException(
            "sequence " + r + " has " + (pl[r] + rl[r]) + " tokens > n_positions " + maxPositions);
      }
      l = Math.max(l, pl[r] + rl[r]);
    }
    long[] ids = new long[b * l];
    for (int r = 0; r < b; r++) {
      int[] p = prompts.get(r);
      int[] s = responses.get(r);
      for (int j = 0; j < p.length; j++) {
        ids[r * l + j] = p[j];
      }
      for (int j = 0; j < s.length; j++) {
        ids[r * l + p.length + j] = s[j];
      }
    }
    return new PaddedBatch(b, l, pl, rl, ids);
  }

  public int rows() {
    return rows;
  }

  /** L, the padded sequence length. */
  public int length() {
    return length;
  }

  public int responseLength(int row) {
    return responseLen[row];
  }

  /** (B, L) int64 token ids, 0 at padding. */
  public NDArray ids(NDManager m) {
    return m.create(ids, new Shape(rows, length));
  }

  /** (B, L) int64, 1 = real token. */
  public NDArray attention(NDManager m) {
    return m.create(attention, new Shape(rows, length));
  }

  /** (B, L − 1) float32, 1 where the action position predicts a response token. */
  public NDArray actionMask(NDManager m) {
    float[][] ones = new float[rows][];
    for (int r = 0; r < rows; r++) {
      ones[r] = new float[responseLen[r]];
      java.util.Arrays.fill(ones[r], 1f);
    }
    return actions(m, ones);
  }

  /**
   * Scatters per-response-token values into action coordinates.
   *
   * @param perToken ragged, row r has responseLength(r) values
   * @return (B, L − 1) float32, 0 outside responses
   */
  public NDArray actions(NDManager m, float[][] perToken) {
    int w = length - 1;
    float[] flat = new float[rows * w];
    for (int r = 0; r < rows; r++) {
      if (perToken[r].length != responseLen[r]) {
        throw new IllegalArgumentException(
            "row " + r + ": " + perToken[r].length + " values for " + responseLen[r] + " tokens");
      }
      System.arraycopy(perToken[r], 0, flat, r * w + promptLen[r] - 1, responseLen[r]);
    }
    return m.create(flat, new Shape(rows, w));
  }

  /**
   * Reads per-response-token values back out of a (B, L − 1) array.
   *
   * @param flat row-major (B, L − 1)
   * @return ragged, row r has responseLength(r) values
   */
  public float[][] responses(float[] flat) {
    int w = length - 1;
    float[][] out = new float[rows][];
    for (int r = 0; r < rows; r++) {
      out[r] = new float[responseLen[r]];
      System.arraycopy(flat, r * w + promptLen[r] - 1, out[r], 0, responseLen[r]);
    }
    return out;
  }
}
