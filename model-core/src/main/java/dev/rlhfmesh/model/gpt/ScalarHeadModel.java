package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.io.GptWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The GPT-2 backbone with a scalar head: {@code value = score(h_t)} for every position, h the
 * hidden state after the final LayerNorm. Used as the reward model (the score at the last real
 * token) and as the PPO critic (per-token values).
 *
 * <p>On disk: the backbone under {@code transformer.*} names plus {@code score.weight} (1, C) and
 * {@code score.bias} (1) — the layout of transformers' {@code GPT2ForSequenceClassification} (which
 * has no bias; it ignores it) — and {@code "rlhf_head": "scalar"} in {@code config.json}.
 */
public final class ScalarHeadModel implements AutoCloseable {
  public static final String HEAD_FIELD = "rlhf_head";
  private final Gpt backbone;
  private final NDArray scoreWeight; // (1, C)
  private final NDArray scoreBias; // (1)

  private ScalarHeadModel(Gpt backbone, NDArray scoreWeight, NDArray scoreBias) {
    this.backbone = backbone;
    this.scoreWeight = scoreWeight;
    this.scoreBias = scoreBias;
    scoreWeight.setName("score.weight");
    scoreBias.setName("score.bias");
  }

  /** Fresh backbone and head (head weight normal(0, 0.02), bias 0), deterministic in seed. */
  public static ScalarHeadModel init(NDManager parent, GptConfig config, long seed) {
    Gpt gpt = Gpt.init(parent, config, seed);
    return withNewHead(gpt, seed);
  }

  /** Puts a fresh head on an existing backbone (e.g. the SFT policy); takes ownership of it. */
  public static ScalarHeadModel withNewHead(Gpt backbone, long seed) {
    NDManager m = backbone.manager();
    int c = backbone.config().nEmbd();
    NDArray w = m.create(Gpt.gaussian(seed, "score.weight", c, 0.02), new Shape(1, c));
    NDArray b = m.zeros(new Shape(1));
    return new ScalarHeadModel(backbone, w, b);
  }

  /**
   * Loads a directory holding config.json and the backbone + {@code score.*} tensors; a missing
   * head is an error (start a reward model from a plain GPT-2 with {@link #withNewHead}).
   */
  public static ScalarHeadModel load(NDManager parent, Path dir) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> raw = GptWeights.readDirectory(tmp, dir);
      Map<String, NDArray> head = new LinkedHashMap<>();
      raw.forEach(
          (k, v) -> {
            if (GptWeights.isHead(k)) {
              head.put(GptWeights.strip(k), v);
            }
          });
      Map<String, Shape> headShapes =
          Map.of("score.weight", new Shape(1, config.nEmbd()), "score.bias", new Shape(1));
      GptWeights.validate(headShapes, head);
      Gpt gpt = Gpt.fromStateDict(parent, config, GptWeights.backbone(raw));
      NDArray w = head.get("score.weight").toType(DataType.FLOAT32, true);
      NDArray b = head.get("score.bias").toType(DataType.FLOAT32, true);
      w.attach(gpt.manager());
      b.attach(gpt.manager());
      return new ScalarHeadModel(gpt, w, b);
    }
  }

  /** Writes config.json (with {@code "rlhf_head": "scalar"}) and model.safetensors. */
  public void save(Path dir) {
    backbone.config().writeJson(dir.resolve("config.json"), Map.of(HEAD_FIELD, "scalar"));
    GptWeights.write(dir.resolve(GptWeights.SINGLE_FILE), parameters(GptWeights.PREFIX));
  }

  /** Backbone parameters (plain HF names) followed by {@code score.weight}, {@code score.bias}. */
  public Map<String, NDArray> parameters() {
    return parameters("");
  }

  private Map<String, NDArray> parameters(String prefix) {
    Map<String, NDArray> all = new LinkedHashMap<>();
    backbone.parameters().forEach((k, v) -> all.put(prefix + k, v));
    all.put("score.weight", scoreWeight);
    all.put("score.bias", scoreBias);
    return all;
  }

  /** All-or-nothing copy of backbone + head tensors (names as in {@link #parameters()}). */
  public void loadStateDict(Map<String, NDArray> src) {
    Map<String, NDArray> head = new LinkedHashMap<>();
    src.forEach(
        (k, v) -> {
          if (GptWeights.isHead(k)) {
            head.put(GptWeights.strip(k), v);
          }
        });
    GptWeights.validate(
        Map.of("score.weight", scoreWeight.getShape(), "score.bias", scoreBias.getShape()), head);
    GptWeights.validate(
        Gpt.parameterShapes(backbone.config()), GptWeights.backbone(src)); // before any copy
    backbone.loadStateDict(src);
    try (NDArray w = head.get("score.weight").toType(DataType.FLOAT32, true);
        NDArray b = head.get("score.bias").toType(DataType.FLOAT32, true)) {
      w.copyTo(scoreWeight);
      b.copyTo(scoreBias);
    }
  }

  public Gpt backbone() {
    return backbone;
  }

  public GptConfig config() {
    return backbone.config();
  }

  public void setTrainable(boolean on) {
    backbone.setTrainable(on);
    scoreWeight.setRequiresGradient(on);
    scoreBias.setRequiresGradient(on);
  }

  /**
   * Per-token values.
   *
   * @param ids (B, T) token ids (results live in its manager)
   * @param attentionMask (B, T) 1 = token, 0 = padding, or null
   * @return (B, T)
   */
  public NDArray values(NDArray ids, NDArray attentionMask) {
    NDArray h = backbone.hidden(ids, attentionMask); // (B, T, C)
    // score.weight is (1, C), nn.Linear layout: one fused op, result in h's manager
    return Linear.linear(h, scoreWeight, scoreBias).singletonOrThrow().squeeze(-1); // (B, T)
  }

  /**
   * Sequence scores: the value at each row's last real token (the last 1 of the mask; works for
   * left and right padding).
   *
   * @return (B)
   */
  public NDArray scores(NDArray ids, NDArray attentionMask) {
    NDArray v = values(ids, attentionMask); // (B, T)
    int b = (int) v.getShape().get(0);
    int t = (int) v.getShape().get(1);
    long[] last = new long[b];
    if (attentionMask == null) {
      java.util.Arrays.fill(last, t - 1);
    } else {
      long[] m = attentionMask.toType(DataType.INT64, false).toLongArray();
      for (int r = 0; r < b; r++) {
        last[r] = 0;
        for (int q = 0; q < t; q++) {
          if (m[r * t + q] != 0) {
            last[r] = q;
          }
        }
      }
    }
    NDArray idx = ids.getManager().create(last, new Shape(b, 1)); // (B, 1)
    return v.gather(idx, 1).squeeze(1); // (B)
  }

  /** Convenience: scores as a Java array, no autograd. */
  public float[] scoreArray(NDManager parent, int[][] sequences) {
    try (NoGrad ng = NoGrad.enter();
        NDManager m = parent.newSubManager()) {
      int b = sequences.length;
      int t = 0;
      for (int[] s : sequences) {
        t = Math.max(t, s.length);
      }
      long[] ids = new long[b * t];
      long[] mask = new long[b * t];
      for (int r = 0; r < b; r++) {
        for (int q = 0; q < sequences[r].length; q++) {
          ids[r * t + q] = sequences[r][q];
          mask[r * t + q] = 1;
        }
      }
      return scores(m.create(ids, new Shape(b, t)), m.create(mask, new Shape(b, t))).toFloatArray();
    }
  }

  @Override
  public void close() {
    backbone.close();
  }
}
