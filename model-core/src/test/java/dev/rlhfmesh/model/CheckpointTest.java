package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.io.GptWeights;
import dev.rlhfmesh.model.io.Safetensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
  @TempDir Path dir;

  private static float[] logits(Gpt model, NDManager root) {
    try (NDManager m = root.newSubManager()) {
      return model
          .forward(TinyModels.ids(m, new int[] {3, 1, 4, 1, 5, 9, 2, 6}), null)
          .toFloatArray();
    }
  }

  @Test
  void saveThenLoad_isBitExact() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt a = Gpt.init(root, TinyModels.tiny(), 11)) {
      a.save(dir);
      try (Gpt b = Gpt.load(root, dir)) {
        assertEquals(a.config(), b.config());
        for (String name : a.parameters().keySet()) {
          assertArrayEquals(
              a.parameters().get(name).toFloatArray(),
              b.parameters().get(name).toFloatArray(),
              0f,
              name);
        }
        assertArrayEquals(logits(a, root), logits(b, root), 0f);
      }
    }
  }

  @Test
  void init_isDeterministicInSeed() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt a = Gpt.init(root, TinyModels.tiny(), 5);
        Gpt b = Gpt.init(root, TinyModels.tiny(), 5);
        Gpt c = Gpt.init(root, TinyModels.tiny(), 6)) {
      assertArrayEquals(logits(a, root), logits(b, root), 0f);
      assertTrue(TinyModels.maxAbsDiff(logits(a, root), logits(c, root)) > 1e-4);
      float[] proj = a.parameters().get("h.0.attn.c_proj.weight").toFloatArray();
      float[] fc = a.parameters().get("h.0.mlp.c_fc.weight").toFloatArray();
      assertEquals(0.02 / Math.sqrt(4), std(proj), 0.003);
      assertEquals(0.02, std(fc), 0.002);
    }
  }

  private static double std(float[] a) {
    double s = 0;
    for (float x : a) {
      s += x * x;
    }
    return Math.sqrt(s / a.length);
  }

  /** A checkpoint as transformers writes it: transformer. prefix, F16, lm_head and attn buffers. */
  @Test
  void huggingFaceNamedF16File_loads() throws IOException {
    GptConfig c = TinyModels.tiny();
    try (NDManager root = NDManager.newBaseManager();
        Gpt source = Gpt.init(root, c, 12);
        NDManager m = root.newSubManager()) {
      Map<String, NDArray> file = new LinkedHashMap<>();
      Map<String, NDArray> rounded = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : source.parameters().entrySet()) {
        NDArray half = e.getValue().toType(DataType.FLOAT16, true);
        half.attach(m);
        file.put("transformer." + e.getKey(), half);
        rounded.put(e.getKey(), half.toType(DataType.FLOAT32, true));
        if (e.getKey().endsWith("attn.c_attn.bias")) {
          String layer = e.getKey().substring(0, e.getKey().indexOf(".attn."));
          file.put("transformer." + layer + ".attn.bias", m.ones(new Shape(1, 1, 48, 48)));
          file.put("transformer." + layer + ".attn.masked_bias", m.create(-1e4f));
        }
      }
      file.put("lm_head.weight", file.get("transformer.wte.weight"));
      assertEquals(new Shape(32, 96), file.get("transformer.h.0.attn.c_attn.weight").getShape());
      Safetensors.write(dir.resolve("model.safetensors"), file, Map.of("format", "pt"));
      Files.writeString(
          dir.resolve("config.json"),
          "{\"architectures\": [\"GPT2LMHeadModel\"], \"model_type\": \"gpt2\","
              + " \"activation_function\": \"gelu_new\", \"n_ctx\": 48, \"n_embd\": 32,"
              + " \"n_head\": 4, \"n_layer\": 2, \"n_positions\": 48, \"n_inner\": 64,"
              + " \"layer_norm_epsilon\": 1e-05, \"vocab_size\": 37, \"bos_token_id\": 0,"
              + " \"eos_token_id\": 0, \"torch_dtype\": \"float16\"}");
      source.loadStateDict(rounded);
      try (Gpt loaded = Gpt.load(root, dir)) {
        assertEquals(c.withVocabSize(37).nEmbd(), loaded.config().nEmbd());
        assertEquals(0, loaded.config().eosTokenId());
        assertArrayEquals(logits(source, root), logits(loaded, root), 0f);
      }
    }
  }

  @Test
  void shardedCheckpoint_loads() throws IOException {
    try (NDManager root = NDManager.newBaseManager();
        Gpt a = Gpt.init(root, TinyModels.tiny(), 13)) {
      Map<String, NDArray> first = new LinkedHashMap<>();
      Map<String, NDArray> second = new LinkedHashMap<>();
      StringBuilder index = new StringBuilder("{\"metadata\": {}, \"weight_map\": {");
      int i = 0;
      for (Map.Entry<String, NDArray> e : a.parameters().entrySet()) {
        String shard =
            i++ % 2 == 0 ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
        (shard.contains("00001-") ? first : second).put(e.getKey(), e.getValue());
        index
            .append(i > 1 ? ", " : "")
            .append('"')
            .append(e.getKey())
            .append("\": \"")
            .append(shard)
            .append('"');
      }
      index.append("}}");
      Safetensors.write(dir.resolve("model-00001-of-00002.safetensors"), first, Map.of());
      Safetensors.write(dir.resolve("model-00002-of-00002.safetensors"), second, Map.of());
      Files.writeString(dir.resolve(GptWeights.INDEX_FILE), index);
      a.config().writeJson(dir.resolve("config.json"));
      try (Gpt b = Gpt.load(root, dir)) {
        assertArrayEquals(logits(a, root), logits(b, root), 0f);
      }
    }
  }

  @Test
  void bf16Tensors_areWidenedByHand() throws IOException {
    float[] values = {1.0f, -2.5f, 3.140625f, 0f, 1e-3f};
    StringBuilder header = new StringBuilder("{\"x\":{\"dtype\":\"BF16\",\"shape\":[5],");
    header.append("\"data_offsets\":[0,10]}}");
    byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 10).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    for (float v : values) {
      b.putShort((short) (Float.floatToIntBits(v) >>> 16)); // truncation to BF16
    }
    Path f = dir.resolve("bf16.safetensors");
    Files.write(f, b.array());
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = Safetensors.read(m, f).get("x");
      assertEquals(DataType.FLOAT32, x.getDataType());
      float[] expected = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        expected[i] = Float.intBitsToFloat(Float.floatToIntBits(values[i]) & 0xFFFF0000);
      }
      assertArrayEquals(expected, x.toFloatArray(), 0f);
    }
  }

  @Test
  void safetensorsBytes_roundTripF32F16I64() {
    try (NDManager m = NDManager.newBaseManager()) {
      Map<String, NDArray> t = new LinkedHashMap<>();
      t.put("f", m.create(new float[] {1.5f, -2f, 3e-8f}));
      t.put("h", m.create(new float[] {0.5f, 2f}).toType(DataType.FLOAT16, false));
      t.put("step", m.create(new long[] {42L}));
      Map<String, NDArray> back = Safetensors.fromBytes(m, Safetensors.toBytes(t, Map.of()));
      assertArrayEquals(t.get("f").toFloatArray(), back.get("f").toFloatArray(), 0f);
      assertEquals(DataType.FLOAT16, back.get("h").getDataType());
      assertArrayEquals(new long[] {42L}, back.get("step").toLongArray());
    }
  }

  @Test
  void unknownMissingAndMisshapedTensors_areNamedErrors_andNothingIsCopied() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt a = Gpt.init(root, TinyModels.tiny(), 14);
        Gpt b = Gpt.init(root, TinyModels.tiny(), 15);
        NDManager m = root.newSubManager()) {
      float[] before = logits(a, root);
      Map<String, NDArray> src = new LinkedHashMap<>(b.parameters());
      src.put("h.0.mlp.c_fc.weight", m.zeros(new Shape(64, 32))); // Linear layout: wrong
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(src));
      assertTrue(e.getMessage().contains("h.0.mlp.c_fc.weight"), e.getMessage());
      assertArrayEquals(before, logits(a, root), 0f, "all-or-nothing");

      Map<String, NDArray> missing = new LinkedHashMap<>(b.parameters());
      missing.remove("ln_f.bias");
      e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(missing));
      assertTrue(e.getMessage().contains("missing tensor ln_f.bias"), e.getMessage());

      Map<String, NDArray> extra = new LinkedHashMap<>(b.parameters());
      extra.put("h.9.attn.c_attn.weight", m.zeros(new Shape(1)));
      e = assertThrows(IllegalArgumentException.class, () -> a.loadStateDict(extra));
      assertTrue(e.getMessage().contains("unknown tensor h.9.attn.c_attn.weight"), e.getMessage());
      assertArrayEquals(before, logits(a, root), 0f);

      a.loadStateDict(b.parameters());
      assertArrayEquals(logits(b, root), logits(a, root), 0f);
    }
  }

  @Test
  void scalarHead_saveLoadRoundTrip() {
    try (NDManager root = NDManager.newBaseManager();
        ScalarHeadModel rm = ScalarHeadModel.init(root, TinyModels.tiny(), 16)) {
      rm.save(dir);
      assertEquals("scalar", GptConfig.readField(dir.resolve("config.json"), "rlhf_head"));
      Map<String, String> names = new LinkedHashMap<>();
      try (NDManager m = root.newSubManager()) {
        Safetensors.read(m, dir.resolve("model.safetensors"))
            .forEach((k, v) -> names.put(k, v.getShape().toString()));
      }
      assertEquals("(1, 32)", names.get("score.weight"));
      assertTrue(names.containsKey("score.bias"));
      assertTrue(names.containsKey("transformer.h.1.mlp.c_proj.weight"));
      int[][] seqs = {{1, 2, 3, 4}, {5, 6}};
      try (ScalarHeadModel back = ScalarHeadModel.load(root, dir)) {
        assertArrayEquals(rm.scoreArray(root, seqs), back.scoreArray(root, seqs), 0f);
      }
      // right padding does not change a score
      float[] alone = rm.scoreArray(root, new int[][] {{5, 6}});
      assertEquals(alone[0], rm.scoreArray(root, seqs)[1], 1e-5);
    }
  }
}
