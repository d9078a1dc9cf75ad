package dev.rlhfmesh.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * GPT-2 hyper-parameters, read from and written to a Hugging Face GPT-2 {@code config.json}.
 *
 * @param vocabSize vocabulary size V ({@code vocab_size})
 * @param nPositions maximum sequence length, size of the learned position table ({@code
 *     n_positions})
 * @param nEmbd model width C ({@code n_embd})
 * @param nLayer number of transformer blocks ({@code n_layer})
 * @param nHead attention heads H; head size D = C / H ({@code n_head})
 * @param nInner MLP hidden width ({@code n_inner}; HF writes null for the default 4 C)
 * @param layerNormEpsilon LayerNorm epsilon ({@code layer_norm_epsilon}, 1e-5 in GPT-2)
 * @param activation {@code gelu_new} (tanh approximation, what GPT-2 uses) or {@code gelu} (exact
 *     erf; one native op instead of six, a few percent faster decoding, not GPT-2 compatible)
 * @param bosTokenId begin-of-sequence id (GPT-2: 50256), -1 if none
 * @param eosTokenId end-of-sequence id (GPT-2: 50256), -1 if none
 */
public record GptConfig(
    int vocabSize,
    int nPositions,
    int nEmbd,
    int nLayer,
    int nHead,
    int nInner,
    float layerNormEpsilon,
    String activation,
    int bosTokenId,
    int eosTokenId) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public GptConfig {
    if (vocabSize <= 0 || nPositions <= 0 || nEmbd <= 0 || nLayer <= 0 || nHead <= 0) {
      throw new IllegalArgumentException("sizes must be positive: " + this);
    }
    if (nEmbd % nHead != 0) {
      throw new IllegalArgumentException("n_embd " + nEmbd + " not divisible by n_head " + nHead);
    }
    if (nInner <= 0) {
      nInner = 4 * nEmbd;
    }
    if (!"gelu_new".equals(activation) && !"gelu".equals(activation)) {
      throw new IllegalArgumentException(
          "activation_function must be gelu_new or gelu, got " + activation);
    }
  }

  /**
   * The small default: d_model 128, 4 layers, 4 heads, 64 positions (about 0.8M parameters plus the
   * embedding). Measured as the good size on a 2-core machine: it learns the built-in tasks in
   * minutes and decodes at thousands of tokens per second.
   */
  public static GptConfig smallDefault(int vocabSize) {
    return new GptConfig(vocabSize, 64, 128, 4, 4, 512, 1e-5f, "gelu_new", -1, -1);
  }

  /** GPT-2 small (124M) shape: 768 wide, 12 layers, 12 heads, 1024 positions, 50257 tokens. */
  public static GptConfig gpt2Small() {
    return new GptConfig(50257, 1024, 768, 12, 12, 3072, 1e-5f, "gelu_new", 50256, 50256);
  }

  /** Head size D = C / H. */
  public int headDim() {
    return nEmbd / nHead;
  }

  /** Number of parameters (embedding tied to the LM head, counted once). */
  public long parameterCount() {
    long c = nEmbd;
    long perBlock =
        2 * c // ln_1
            + c * 3 * c
            + 3 * c // c_attn
            + c * c
            + c // attn.c_proj
            + 2 * c // ln_2
            + c * nInner
            + nInner // mlp.c_fc
            + (long) nInner * c
            + c; // mlp.c_proj
    return (long) vocabSize * c + (long) nPositions * c + nLayer * perBlock + 2 * c;
  }

  public GptConfig withVocabSize(int v) {
    return new GptConfig(
        v,
        nPositions,
        nEmbd,
        nLayer,
        nHead,
        nInner,
        layerNormEpsilon,
        activation,
        bosTokenId,
        eosTokenId);
  }

  /** Reads a Hugging Face GPT-2 {@code config.json} (a file, or a directory holding one). */
  public static GptConfig fromJson(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve("config.json") : path;
    try {
      return fromJsonNode(JSON.readTree(file.toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  static GptConfig fromJsonNode(JsonNode n) {
    String type = n.path("model_type").asText("gpt2");
    if (!"gpt2".equals(type)) {
      throw new IllegalArgumentException("model_type must be gpt2, got " + type);
    }
    if (n.has("tie_word_embeddings") && !n.get("tie_word_embeddings").asBoolean()) {
      throw new IllegalArgumentException("untied word embeddings are not supported");
    }
    int nEmbd = required(n, "n_embd");
    JsonNode inner = n.get("n_inner");
    return new GptConfig(
        required(n, "vocab_size"),
        required(n, "n_positions"),
        nEmbd,
        required(n, "n_layer"),
        required(n, "n_head"),
        inner == null || inner.isNull() ? 4 * nEmbd : inner.asInt(),
        (float) n.path("layer_norm_epsilon").asDouble(1e-5),
        n.path("activation_function").asText("gelu_new"),
        n.path("bos_token_id").asInt(-1),
        n.path("eos_token_id").asInt(-1));
  }

  private static int required(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt()) {
      throw new IllegalArgumentException("config.json lacks integer field " + field);
    }
    return v.asInt();
  }

  /** Writes a Hugging Face compatible {@code config.json} (a file path). */
  public void writeJson(Path file) {
    writeJson(file, Map.of());
  }

  /** Writes {@code config.json} with extra top-level fields, e.g. {@code "rlhf_head": "scalar"}. */
  public void writeJson(Path file, Map<String, ?> extra) {
    ObjectNode n = JSON.createObjectNode();
    n.put("model_type", "gpt2");
    n.putArray("architectures").add("GPT2LMHeadModel");
    n.put("vocab_size", vocabSize);
    n.put("n_positions", nPositions);
    n.put("n_ctx", nPositions);
    n.put("n_embd", nEmbd);
    n.put("n_layer", nLayer);
    n.put("n_head", nHead);
    if (nInner == 4 * nEmbd) {
      n.putNull("n_inner");
    } else {
      n.put("n_inner", nInner);
    }
    n.put("activation_function", activation);
    n.put("layer_norm_epsilon", (double) layerNormEpsilon);
    n.put("initializer_range", 0.02);
    n.put("resid_pdrop", 0.0);
    n.put("embd_pdrop", 0.0);
    n.put("attn_pdrop", 0.0);
    n.put("tie_word_embeddings", true);
    if (bosTokenId >= 0) {
      n.put("bos_token_id", bosTokenId);
    }
    if (eosTokenId >= 0) {
      n.put("eos_token_id", eosTokenId);
    }
    n.put("torch_dtype", "float32");
    extra.forEach((k, v) -> n.set(k, JSON.valueToTree(v)));
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writeValue(file.toFile(), n);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Reads an arbitrary top-level string field of a {@code config.json}, or null. */
  public static String readField(Path file, String field) {
    try {
      JsonNode v = JSON.readTree(file.toFile()).get(field);
      return v == null || v.isNull() ? null : v.asText();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
