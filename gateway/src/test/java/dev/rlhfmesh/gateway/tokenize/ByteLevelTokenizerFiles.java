package dev.rlhfmesh.gateway.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a GPT-2-style byte-level BPE tokenizer for tests (no downloads): byte {@code b} is token
 * id {@code b}, then the specials {@code <|endoftext|>} = 256, {@code <|system|>}, {@code
 * <|user|>}, {@code <|assistant|>}, {@code <|end|>} = 260 (tokenizer-svc's layout), then one token
 * per merge. Without merges every UTF-8 byte is one token, as in the gateway's fake tokenizer-svc.
 */
public final class ByteLevelTokenizerFiles {
  public static final List<String> SPECIALS =
      List.of("<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>");

  private static final ObjectMapper JSON = new ObjectMapper();

  private ByteLevelTokenizerFiles() {}

  /**
   * Writes {@code tokenizer.json} and, when {@code tokenizerConfig} is not null, {@code
   * tokenizer_config.json} into {@code dir}.
   *
   * @param merges pairs in merge order, each as two strings of byte-level characters, e.g. {@code
   *     {"Ġ", "t"}} (use {@link #symbols} to spell text that way)
   */
  public static Path write(Path dir, List<String[]> merges, String tokenizerConfig)
      throws IOException {
    Files.createDirectories(dir);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      added
          .addObject()
          .put("id", 256 + i)
          .put("content", SPECIALS.get(i))
          .put("single_word", false)
          .put("lstrip", false)
          .put("rstrip", false)
          .put("normalized", false)
          .put("special", true);
    }
    root.putNull("normalizer");
    root.set("pre_tokenizer", byteLevel(true));
    root.set("post_processor", byteLevel(false));
    root.set("decoder", byteLevel(true));
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(BYTE_CHARS[b]), b);
    }
    for (int i = 0; i < SPECIALS.size(); i++) {
      vocab.put(SPECIALS.get(i), 256 + i);
    }
    ArrayNode mergeList = model.putArray("merges");
    int next = 256 + SPECIALS.size();
    for (String[] m : merges) {
      mergeList.add(m[0] + " " + m[1]);
      vocab.put(m[0] + m[1], next++);
    }
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
    if (tokenizerConfig != null) {
      Files.writeString(dir.resolve("tokenizer_config.json"), tokenizerConfig);
    }
    return file;
  }

  /** Text spelled in byte-level characters (its UTF-8 bytes mapped as GPT-2 does). */
  public static String symbols(String text) {
    StringBuilder out = new StringBuilder();
    for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      out.append(BYTE_CHARS[b & 0xff]);
    }
    return out.toString();
  }

  private static ObjectNode byteLevel(boolean trimOffsets) {
    ObjectNode n = JSON.createObjectNode();
    n.put("type", "ByteLevel");
    n.put("add_prefix_space", false);
    n.put("trim_offsets", trimOffsets);
    n.put("use_regex", true);
    return n;
  }

  /** GPT-2's bytes_to_unicode: printable bytes stand for themselves, the rest map above 255. */
  private static final char[] BYTE_CHARS = new char[256];

  static {
    List<Integer> printable = new ArrayList<>();
    for (int b = '!'; b <= '~'; b++) {
      printable.add(b);
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      printable.add(b);
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      printable.add(b);
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      BYTE_CHARS[b] = printable.contains(b) ? (char) b : (char) (256 + n++);
    }
  }
}
