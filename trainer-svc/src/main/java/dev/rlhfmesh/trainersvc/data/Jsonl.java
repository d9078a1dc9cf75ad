package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** JSON Lines: one object per line; blank lines are skipped; a bad line names its number. */
public final class Jsonl {
  static final ObjectMapper JSON = new ObjectMapper();

  private Jsonl() {}

  public static List<JsonNode> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<JsonNode> out = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        JsonNode node = JSON.readTree(line);
        if (!node.isObject()) {
          throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON object");
        }
        out.add(node);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": bad JSON: " + e.getOriginalMessage(), e);
      }
    }
    return out;
  }

  public static void write(Path file, List<ObjectNode> rows) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (ObjectNode row : rows) {
          w.write(JSON.writeValueAsString(row));
          w.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /** A required string field, or an error naming the line's field. */
  static String text(JsonNode row, String field, Path file, int index) {
    JsonNode v = row.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(
          file + ": record " + (index + 1) + ": field '" + field + "' must be a string");
    }
    return v.asText();
  }
}
