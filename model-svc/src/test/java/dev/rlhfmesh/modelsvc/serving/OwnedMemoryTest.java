package dev.rlhfmesh.modelsvc.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * DJL wraps a direct buffer without copying and {@code toType(same, true)} may alias it: a tensor
 * derived that way dangles once the source is closed and collected. Weights built from wire bytes
 * must own their memory.
 */
class OwnedMemoryTest {
  @Test
  void toTypeOfAWrappedBuffer_survivesTheSourceBeingCollected() {
    float[] want = new float[1 << 16];
    for (int i = 0; i < want.length; i++) {
      want[i] = i;
    }
    try (NDManager root = NDManager.newBaseManager()) {
      NDArray aliased;
      NDArray owned;
      try (NDManager tmp = root.newSubManager()) {
        ByteBuffer b = ByteBuffer.allocateDirect(want.length * 4).order(ByteOrder.nativeOrder());
        b.asFloatBuffer().put(want);
        NDArray src = tmp.create(b, new Shape(want.length), DataType.FLOAT32);
        aliased = src.toType(DataType.FLOAT32, true);
        aliased.attach(root);
        b.putFloat(0, -5f); // write through the wrapped buffer
        System.out.println(
            "toType shares the wrapped buffer: " + (aliased.toFloatArray()[0] == -5f));
        System.out.println("src sees the write: " + (src.toFloatArray()[0] == -5f));
        b.putFloat(0, 0f);
        owned = ModelWeightTarget.owned(tmp, src);
        owned.attach(root);
      }
      for (int i = 0; i < 5; i++) {
        System.gc();
        ByteBuffer junk = ByteBuffer.allocateDirect(want.length * 4);
        while (junk.hasRemaining()) {
          junk.put((byte) 0x7f);
        }
      }
      System.out.println(
          "aliased survives: " + java.util.Arrays.equals(want, aliased.toFloatArray()));
      assertArrayEquals(want, owned.toFloatArray());
    }
  }
}
