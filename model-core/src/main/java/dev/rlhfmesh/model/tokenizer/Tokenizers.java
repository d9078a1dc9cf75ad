package dev.rlhfmesh.model.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads Hugging Face {@code tokenizer.json} files through DJL offline, with truncation OFF (DJL
 * otherwise silently truncates to 512 tokens), no clean-up of tokenization spaces on decode (DJL
 * otherwise rewrites " ." to "."), and no added special tokens unless asked. The one place these
 * options are set: {@link LoadedTokenizer} (tokenizer-svc, gateway), model-svc and trainer-svc all
 * load through it, so they decode the same ids to the same text.
 */
public final class Tokenizers {
  private Tokenizers() {}

  /** Loads {@code tokenizer.json} (a file, or a directory containing one). */
  public static HuggingFaceTokenizer load(Path fileOrDir) {
    return load(fileOrDir, false);
  }

  public static HuggingFaceTokenizer load(Path fileOrDir, boolean addSpecialTokens) {
    Path file = TokenizerFiles.tokenizerJson(fileOrDir);
    Map<String, String> options = new HashMap<>();
    options.put("truncation", "false");
    options.put("padding", "false");
    options.put("addSpecialTokens", Boolean.toString(addSpecialTokens));
    options.put("cleanUpTokenizationSpaces", "false");
    try {
      return HuggingFaceTokenizer.newInstance(file, options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load tokenizer " + file, e);
    }
  }

  /** Token ids of a text as ints. */
  public static int[] encode(HuggingFaceTokenizer tokenizer, String text) {
    Encoding enc = tokenizer.encode(text);
    long[] ids = enc.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** Text of token ids. */
  public static String decode(HuggingFaceTokenizer tokenizer, int[] ids) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, false);
  }

  /** Paths inside a Hugging Face model directory. */
  public static final class TokenizerFiles {
    private TokenizerFiles() {}

    public static Path tokenizerJson(Path fileOrDir) {
      Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("tokenizer.json") : fileOrDir;
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("no tokenizer.json at " + file);
      }
      return file;
    }
  }
}
