package dev.rlhfmesh.grpc.weights;

import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.util.Arrays;
import java.util.Objects;

/**
 * One named tensor as it crosses the wire: little-endian, row-major bytes plus dtype and shape. No
 * tensor library involved, so any service (model-svc, reward-svc, trainer-svc) converts to and from
 * its own arrays.
 *
 * @param name parameter name, e.g. {@code h.0.attn.c_attn.weight}
 * @param dtype element type
 * @param shape dimensions, outermost first
 * @param data {@code product(shape) * width(dtype)} bytes
 */
public record TensorBytes(String name, DType dtype, long[] shape, byte[] data) {
  public TensorBytes {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = shape.clone();
    long expected = byteSize(dtype, shape);
    if (data.length != expected) {
      throw new IllegalArgumentException(
          "tensor " + name + ": " + data.length + " bytes, expected " + expected);
    }
  }

  /**
   * The dtype as safetensors names it ({@code F32}, {@code F16}, {@code BF16}, {@code I64}, {@code
   * I32}).
   */
  public String safetensorsDtype() {
    return switch (dtype) {
      case D_TYPE_FLOAT32 -> "F32";
      case D_TYPE_FLOAT16 -> "F16";
      case D_TYPE_BFLOAT16 -> "BF16";
      case D_TYPE_INT64 -> "I64";
      case D_TYPE_INT32 -> "I32";
      default ->
          throw new IllegalArgumentException("tensor " + name + ": unsupported dtype " + dtype);
    };
  }

  /** Bytes per element of a wire dtype; throws for {@code D_TYPE_UNSPECIFIED}/unknown. */
  public static int width(DType dtype) {
    return switch (dtype) {
      case D_TYPE_FLOAT32, D_TYPE_INT32 -> 4;
      case D_TYPE_FLOAT16, D_TYPE_BFLOAT16 -> 2;
      case D_TYPE_INT64 -> 8;
      default -> throw new IllegalArgumentException("unsupported dtype " + dtype);
    };
  }

  /** {@code product(shape) * width(dtype)}; throws on negative dims or overflow. */
  public static long byteSize(DType dtype, long[] shape) {
    long n = width(dtype);
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** The manifest entry describing this tensor. */
  public TensorSpec spec() {
    TensorSpec.Builder b =
        TensorSpec.newBuilder().setName(name).setDtype(dtype).setByteSize(data.length);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape);
  }
}
