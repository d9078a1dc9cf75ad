package dev.rlhfmesh.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.model.gpt.Gpt;

/** Tiny configurations and helpers shared by the tests. */
public final class TinyModels {
  private TinyModels() {}

  /** 2 layers, 32 wide, 4 heads, 48 positions, 37 tokens. */
  public static GptConfig tiny() {
    return new GptConfig(37, 48, 32, 2, 4, 64, 1e-5f, "gelu_new", -1, -1);
  }

  /**
   * Adds seeded noise (σ = 0.05) to every parameter, in place: a fresh init has zero biases and
   * unit LayerNorm weights, which would hide a kernel that drops or misapplies them.
   */
  public static void perturb(Gpt model, long seed) {
    NDManager m = model.manager();
    m.getEngine().setRandomSeed((int) seed);
    for (NDArray p : model.parameters().values()) {
      try (NDArray noise = m.randomNormal(0f, 0.05f, p.getShape(), p.getDataType())) {
        p.addi(noise);
      }
    }
    model.parametersChanged();
  }

  /** Logits (V) at the last position of one unpadded sequence: full recomputation, no cache. */
  public static float[] lastLogits(Gpt model, int[] seq) {
    try (NDManager m = model.manager().newSubManager()) {
      NDArray logits = model.forward(ids(m, seq), null); // (1, T, V)
      return logits.get(new NDIndex("0, -1")).toFloatArray();
    }
  }

  public static NDArray ids(NDManager m, int[]... rows) {
    int t = rows[0].length;
    long[] flat = new long[rows.length * t];
    for (int r = 0; r < rows.length; r++) {
      for (int j = 0; j < t; j++) {
        flat[r * t + j] = rows[r][j];
      }
    }
    return m.create(flat, new Shape(rows.length, t));
  }

  public static int[] randomTokens(java.util.Random r, int n, int vocab) {
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = r.nextInt(vocab);
    }
    return out;
  }

  public static float maxAbsDiff(float[] a, float[] b) {
    if (a.length != b.length) {
      throw new AssertionError("lengths " + a.length + " vs " + b.length);
    }
    float d = 0;
    for (int i = 0; i < a.length; i++) {
      d = Math.max(d, Math.abs(a[i] - b[i]));
    }
    return d;
  }
}
