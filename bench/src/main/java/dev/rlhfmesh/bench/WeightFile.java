package dev.rlhfmesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file as raw little-endian bytes per tensor (what a weight push sends), without DJL:
 * header length (u64 LE), JSON header, data.
 */
final class WeightFile {
  /** One tensor's dtype, shape and bytes. */
  record Tensor(String dtype, long[] shape, byte[] data) {
    List<Long> shapeList() {
      List<Long> l = new ArrayList<>();
      for (long d : shape) {
        l.add(d);
      }
      return l;
    }
  }

  private WeightFile() {}

  static Map<String, Tensor> read(Path file) throws IOException {
    return parse(Files.readAllBytes(file));
  }

  static Map<String, Tensor> parse(byte[] blob) throws IOException {
    if (blob.length < 8) {
      throw new IOException("safetensors blob shorter than its header length");
    }
    long n = ByteBuffer.wrap(blob, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (n < 0 || 8 + n > blob.length) {
      throw new IOException("safetensors header length " + n + " exceeds the blob");
    }
    JsonNode header =
        new ObjectMapper().readTree(new String(blob, 8, (int) n, StandardCharsets.UTF_8));
    int base = 8 + (int) n;
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      JsonNode t = e.getValue();
      JsonNode s = t.get("shape");
      long[] shape = new long[s.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = s.get(i).asLong();
      }
      int from = base + t.get("data_offsets").get(0).asInt();
      int to = base + t.get("data_offsets").get(1).asInt();
      if (from > to || to > blob.length) {
        throw new IOException("tensor " + e.getKey() + " lies outside the blob");
      }
      byte[] data = new byte[to - from];
      System.arraycopy(blob, from, data, 0, data.length);
      out.put(e.getKey(), new Tensor(t.get("dtype").asText(), shape, data));
    }
    return out;
  }
}
