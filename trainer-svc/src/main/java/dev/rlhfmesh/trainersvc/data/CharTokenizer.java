package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a character-level Hugging Face {@code tokenizer.json} (WordLevel model, one token per
 * character, Fuse decoder) with an end token {@code <|endoftext|>} and a pad token {@code <pad>}:
 * the vocabulary DEMO-NOTES uses for the addition task, loadable by model-core's tokenizer loader.
 */
public final class CharTokenizer {
  public static final String END = "<|endoftext|>";
  public static final String PAD = "<pad>";

  /** The addition task's characters: ids 0–9 are the digits, 10 '+', 11 '=', 12 end, 13 pad. */
  public static final String ADDITION_ALPHABET = "0123456789+=";

  private CharTokenizer() {}

  /** Writes {@code dir/tokenizer.json}; returns its path. */
  public static Path write(Path dir, String alphabet) {
    ObjectNode root = Jsonl.object();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ObjectNode vocab = Jsonl.object();
    int id = 0;
    for (int cp : alphabet.codePoints().distinct().toArray()) {
      vocab.put(new String(Character.toChars(cp)), id++);
    }
    ArrayNode added = root.putArray("added_tokens");
    for (String special : new String[] {END, PAD}) {
      vocab.put(special, id);
      ObjectNode t = added.addObject();
      t.put("id", id++);
      t.put("content", special);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Split");
    pre.putObject("pattern").put("Regex", ".");
    pre.put("behavior", "Isolated");
    pre.put("invert", false);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "Fuse");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    model.set("vocab", vocab);
    model.put("unk_token", PAD);
    try {
      Files.createDirectories(dir);
      Path file = dir.resolve("tokenizer.json");
      Files.writeString(file, Jsonl.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a tokenizer into " + dir, e);
    }
  }
}
