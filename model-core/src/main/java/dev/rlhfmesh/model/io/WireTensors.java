package dev.rlhfmesh.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Tensors that arrive as little-endian bytes (the weight-update protocol) to float32 NDArrays. One
 * conversion for every service that takes weights over the wire.
 */
public final class WireTensors {
  private WireTensors() {}

  /**
   * F32, F16 and BF16 little-endian bytes (dtype named as in safetensors) become an F32 array of
   * {@code shape} in {@code m}; any other dtype is an {@link IllegalArgumentException}.
   */
  public static NDArray toFloat32(NDManager m, String dtype, long[] shape, byte[] data) {
    ByteBuffer src = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    float[] f;
    switch (dtype) {
      case "F32" -> {
        f = new float[data.length / 4];
        src.asFloatBuffer().get(f);
      }
      case "F16" -> {
        f = new float[data.length / 2];
        for (int i = 0; i < f.length; i++) {
          f[i] = halfToFloat(src.getShort(2 * i));
        }
      }
      case "BF16" -> {
        f = new float[data.length / 2];
        for (int i = 0; i < f.length; i++) {
          f[i] = Float.intBitsToFloat((src.getShort(2 * i) & 0xFFFF) << 16);
        }
      }
      default -> throw new IllegalArgumentException("dtype " + dtype + " is not a float type");
    }
    return m.create(f, new Shape(shape));
  }

  /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
  public static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) { // inf / NaN
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      float v = mant / 1024f * (float) Math.pow(2, -14); // zero or subnormal
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
