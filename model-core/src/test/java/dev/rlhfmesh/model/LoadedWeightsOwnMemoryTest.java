package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loaded parameters must own their memory: safetensors tensors are read into Java direct buffers
 * that only the temporary arrays keep alive, and an F32 {@code toType} is an alias. Without the
 * clone in {@code Gpt.fromStateDict} the parameters read freed (and here overwritten) memory.
 */
class LoadedWeightsOwnMemoryTest {
  private static final GptConfig TINY =
      new GptConfig(32, 16, 16, 2, 2, 64, 1e-5f, "gelu_new", -1, -1);

  @Test
  void load_keepsWeightsAfterTheReadBuffersAreCollected(@TempDir Path dir) {
    try (NDManager root = NDManager.newBaseManager()) {
      float[] want;
      float[] wantHead;
      try (ScalarHeadModel g = ScalarHeadModel.init(root, TINY, 5)) {
        g.save(dir.resolve("rm"));
        g.backbone().save(dir.resolve("lm"));
        want = g.backbone().parameters().get("wte.weight").toFloatArray();
        wantHead = g.parameters().get("score.weight").toFloatArray();
      }
      Gpt lm = Gpt.load(root, dir.resolve("lm"));
      ScalarHeadModel rm = ScalarHeadModel.load(root, dir.resolve("rm"));
      churnDirectMemory(want.length * 4);
      assertArrayEquals(want, lm.parameters().get("wte.weight").toFloatArray());
      assertArrayEquals(want, rm.backbone().parameters().get("wte.weight").toFloatArray());
      assertArrayEquals(wantHead, rm.parameters().get("score.weight").toFloatArray());
    }
  }

  private static void churnDirectMemory(int bytes) {
    for (int i = 0; i < 8; i++) {
      System.gc();
      ByteBuffer junk = ByteBuffer.allocateDirect(bytes);
      while (junk.hasRemaining()) {
        junk.put((byte) 0x7f);
      }
    }
  }
}
