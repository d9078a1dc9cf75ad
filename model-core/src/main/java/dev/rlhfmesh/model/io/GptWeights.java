package dev.rlhfmesh.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face GPT-2 checkpoint naming: reading single-file and sharded {@code model.safetensors},
 * normalising names (optional {@code transformer.} prefix; {@code lm_head.weight} ignored because
 * the head is tied; {@code attn.bias}/{@code attn.masked_bias} buffers ignored), and validating
 * names and shapes with errors that name the tensor.
 */
public final class GptWeights {
  public static final String PREFIX = "transformer.";
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";
  private static final Map<String, String> PT_FORMAT = Map.of("format", "pt");

  private GptWeights() {}

  /** All tensors of a checkpoint directory (single file, or shards listed by the index). */
  public static Map<String, NDArray> readDirectory(NDManager manager, Path dir) {
    Path single = dir.resolve(SINGLE_FILE);
    if (Files.exists(single)) {
      return Safetensors.read(manager, single);
    }
    Path index = dir.resolve(INDEX_FILE);
    if (!Files.exists(index)) {
      throw new IllegalArgumentException(
          dir + " holds neither " + SINGLE_FILE + " nor " + INDEX_FILE);
    }
    Set<String> shards = new LinkedHashSet<>();
    try {
      JsonNode map = new ObjectMapper().readTree(index.toFile()).path("weight_map");
      map.fields().forEachRemaining(e -> shards.add(e.getValue().asText()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + index, e);
    }
    Map<String, NDArray> all = new LinkedHashMap<>();
    for (String shard : shards) {
      all.putAll(Safetensors.read(manager, dir.resolve(shard)));
    }
    return all;
  }

  /** Whether a (prefix-stripped) name is a head tensor ({@code score.*}), not the backbone. */
  public static boolean isHead(String name) {
    return strip(name).startsWith("score.");
  }

  /** Strips the optional {@code transformer.} prefix. */
  public static String strip(String name) {
    return name.startsWith(PREFIX) ? name.substring(PREFIX.length()) : name;
  }

  private static boolean ignored(String name) {
    return name.equals("lm_head.weight")
        || name.endsWith(".attn.bias")
        || name.endsWith(".attn.masked_bias");
  }

  /** Backbone tensors under plain GPT-2 names; heads and tolerated extras are left out. */
  public static Map<String, NDArray> backbone(Map<String, NDArray> raw) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : raw.entrySet()) {
      String name = strip(e.getKey());
      if (ignored(name) || name.startsWith("score.")) {
        continue;
      }
      if (out.put(name, e.getValue()) != null) {
        throw new IllegalArgumentException(
            "tensor " + name + " appears twice (with and without " + PREFIX + ")");
      }
    }
    return out;
  }

  /**
   * Checks that {@code src} holds exactly the expected names with the expected shapes; throws an
   * {@link IllegalArgumentException} listing every unknown, missing or mis-shaped tensor.
   */
  public static void validate(Map<String, Shape> expected, Map<String, NDArray> src) {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, Shape> e : expected.entrySet()) {
      NDArray a = src.get(e.getKey());
      if (a == null) {
        problems.add("missing tensor " + e.getKey());
      } else if (!a.getShape().equals(e.getValue())) {
        problems.add(
            "tensor " + e.getKey() + " has shape " + a.getShape() + ", expected " + e.getValue());
      }
    }
    for (String name : src.keySet()) {
      if (!expected.containsKey(name)) {
        problems.add("unknown tensor " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** Writes tensors with {@code {"format": "pt"}} metadata, as transformers expects. */
  public static void write(Path file, Map<String, NDArray> tensors) {
    Safetensors.write(file, tensors, PT_FORMAT);
  }
}
