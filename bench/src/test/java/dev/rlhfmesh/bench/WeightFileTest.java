package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.io.Safetensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightFileTest {
  @Test
  void parse_readsWhatModelCoreWrites() throws IOException {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> t = new LinkedHashMap<>();
      t.put("w", m.create(new float[] {1f, -2f, 3.5f, 0f, 5f, 6f}).reshape(2, 3));
      t.put("b", m.create(new float[] {0.25f}));
      Map<String, WeightFile.Tensor> read = WeightFile.parse(Safetensors.toBytes(t, Map.of()));
      assertEquals("F32", read.get("w").dtype());
      assertArrayEquals(new long[] {2, 3}, read.get("w").shape());
      float[] back = new float[6];
      ByteBuffer.wrap(read.get("w").data())
          .order(ByteOrder.LITTLE_ENDIAN)
          .asFloatBuffer()
          .get(back);
      assertArrayEquals(new float[] {1f, -2f, 3.5f, 0f, 5f, 6f}, back);
      assertEquals(4, read.get("b").data().length);
    }
  }

  @Test
  void parse_rejectsTensorOutsideBlob() {
    byte[] h =
        "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).putInt(0);
    assertThrows(IOException.class, () -> WeightFile.parse(b.array()));
  }
}
