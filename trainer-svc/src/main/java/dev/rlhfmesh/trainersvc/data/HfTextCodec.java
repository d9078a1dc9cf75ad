package dev.rlhfmesh.trainersvc.data;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.model.tokenizer.Tokenizers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A local Hugging Face {@code tokenizer.json} (loaded with model-core's {@link Tokenizers}). The
 * vocabulary size and end id are read from the file: the end id is the first added special token
 * named like an end token ({@code <|endoftext|>}, {@code </s>}, {@code <eos>}, {@code <|end|>},
 * {@code <end>}, {@code <|eos|>}).
 */
public final class HfTextCodec implements TextCodec {
  private static final List<String> END_NAMES =
      List.of("<|endoftext|>", "</s>", "<eos>", "<|end|>", "<end>", "<|eos|>", "<|im_end|>");

  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final int vocabSize;
  private final int eosId;

  public HfTextCodec(Path fileOrDir) {
    this.file = Tokenizers.TokenizerFiles.tokenizerJson(fileOrDir);
    this.tokenizer = Tokenizers.load(file);
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      int maxId = -1;
      JsonNode vocab = root.path("model").path("vocab");
      for (Iterator<Map.Entry<String, JsonNode>> it = vocab.fields(); it.hasNext(); ) {
        maxId = Math.max(maxId, it.next().getValue().asInt());
      }
      int eos = -1;
      for (JsonNode t : root.path("added_tokens")) {
        maxId = Math.max(maxId, t.path("id").asInt());
        if (eos < 0 && END_NAMES.contains(t.path("content").asText())) {
          eos = t.path("id").asInt();
        }
      }
      this.vocabSize = maxId + 1;
      this.eosId = eos;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The tokenizer.json file itself (copied next to exported models). */
  public Path file() {
    return file;
  }

  @Override
  public int[] encode(String text) {
    return Tokenizers.encode(tokenizer, text);
  }

  @Override
  public String decode(int[] ids) {
    return Tokenizers.decode(tokenizer, ids);
  }

  @Override
  public int vocabSize() {
    return vocabSize;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
