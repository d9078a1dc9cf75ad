package dev.rlhfmesh.tokenizersvc.core;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.model.tokenizer.SpecialTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;

/**
 * Writes a {@link BpeModel} as a Hugging Face {@code tokenizer.json} (BPE model with vocab and
 * merges, ByteLevel pre-tokenizer with GPT-2's regex and no prefix space, ByteLevel post-processor
 * and decoder, special tokens as {@code added_tokens} marked special) plus a {@code
 * tokenizer_config.json} naming eos/bos/pad and the chat template. Files are written to a temporary
 * name and moved into place, so a reader never sees half a file.
 */
public final class TokenizerJsonWriter {
  public static final String TOKENIZER_JSON = LoadedTokenizer.TOKENIZER_JSON;
  public static final String TOKENIZER_CONFIG_JSON = LoadedTokenizer.TOKENIZER_CONFIG_JSON;

  private static final Gson GSON =
      new GsonBuilder().serializeNulls().disableHtmlEscaping().setPrettyPrinting().create();

  private TokenizerJsonWriter() {}

  /** Writes both files into {@code dir} (created if missing); returns the tokenizer.json path. */
  public static Path write(BpeModel model, Path dir, String chatTemplate) throws IOException {
    Files.createDirectories(dir);
    Path tokenizerJson = dir.resolve(TOKENIZER_JSON);
    writeAtomically(tokenizerJson, GSON.toJson(tokenizerJson(model)));
    writeAtomically(dir.resolve(TOKENIZER_CONFIG_JSON), GSON.toJson(tokenizerConfig(chatTemplate)));
    return tokenizerJson;
  }

  static JsonObject tokenizerJson(BpeModel model) {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    for (String special : model.specialTokens()) {
      JsonObject t = new JsonObject();
      t.addProperty("id", model.vocab().get(special));
      t.addProperty("content", special);
      t.addProperty("single_word", false);
      t.addProperty("lstrip", false);
      t.addProperty("rstrip", false);
      t.addProperty("normalized", false);
      t.addProperty("special", true);
      added.add(t);
    }
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);
    root.add("pre_tokenizer", byteLevel(true));
    root.add("post_processor", byteLevel(false));
    root.add("decoder", byteLevel(true));

    JsonObject bpe = new JsonObject();
    bpe.addProperty("type", "BPE");
    bpe.add("dropout", JsonNull.INSTANCE);
    bpe.add("unk_token", JsonNull.INSTANCE);
    bpe.add("continuing_subword_prefix", JsonNull.INSTANCE);
    bpe.add("end_of_word_suffix", JsonNull.INSTANCE);
    bpe.addProperty("fuse_unk", false);
    bpe.addProperty("byte_fallback", false);
    bpe.addProperty("ignore_merges", false);
    JsonObject vocab = new JsonObject();
    for (Map.Entry<String, Integer> e : model.vocab().entrySet()) {
      vocab.addProperty(e.getKey(), e.getValue());
    }
    bpe.add("vocab", vocab);
    JsonArray merges = new JsonArray();
    for (String[] m : model.merges()) {
      // Byte-level symbols never contain a space, so "left right" is unambiguous.
      merges.add(m[0] + " " + m[1]);
    }
    bpe.add("merges", merges);
    root.add("model", bpe);
    return root;
  }

  private static JsonObject byteLevel(boolean trimOffsets) {
    JsonObject o = new JsonObject();
    o.addProperty("type", "ByteLevel");
    o.addProperty("add_prefix_space", false);
    o.addProperty("trim_offsets", trimOffsets);
    o.addProperty("use_regex", true);
    return o;
  }

  static JsonObject tokenizerConfig(String chatTemplate) {
    JsonObject o = new JsonObject();
    o.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
    o.addProperty("bos_token", SpecialTokens.END_OF_TEXT);
    o.addProperty("eos_token", SpecialTokens.END_OF_TEXT);
    o.addProperty("pad_token", SpecialTokens.END_OF_TEXT);
    o.addProperty("chat_template", chatTemplate);
    o.addProperty("chat_template_syntax", ChatTemplate.SYNTAX);
    return o;
  }

  private static void writeAtomically(Path target, String text) throws IOException {
    Path tmp = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
