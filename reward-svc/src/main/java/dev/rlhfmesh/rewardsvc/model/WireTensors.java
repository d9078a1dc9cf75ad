package dev.rlhfmesh.rewardsvc.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Weight-update tensors (little-endian wire bytes) to float32 NDArrays. */
final class WireTensors {
  private WireTensors() {}

  /** F32, F16 and BF16 become F32 arrays in {@code m}; other dtypes are INVALID_ARGUMENT. */
  static NDArray toFloat32(NDManager m, TensorBytes t) {
    ByteBuffer src = ByteBuffer.wrap(t.data()).order(ByteOrder.LITTLE_ENDIAN);
    float[] f;
    switch (t.dtype()) {
      case D_TYPE_FLOAT32 -> {
        f = new float[t.data().length / 4];
        src.asFloatBuffer().get(f);
      }
      case D_TYPE_FLOAT16 -> {
        f = new float[t.data().length / 2];
        for (int i = 0; i < f.length; i++) {
          f[i] = halfToFloat(src.getShort(2 * i));
        }
      }
      case D_TYPE_BFLOAT16 -> {
        f = new float[t.data().length / 2];
        for (int i = 0; i < f.length; i++) {
          f[i] = Float.intBitsToFloat((src.getShort(2 * i) & 0xFFFF) << 16);
        }
      }
      default ->
          throw ServiceException.invalidArgument(
              "manifest.dtype", t.dtype(), "tensor " + t.name() + " needs a float type");
    }
    return m.create(f, new Shape(t.shape()));
  }

  /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
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
