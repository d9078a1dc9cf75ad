package dev.rlhfmesh.model.gpt;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The attention of a cached inference pass on the CPU as one native call per layer ({@code
 * src/main/c/cached_attention.c}, built into this jar where the build has a C compiler): each
 * packed row writes its key and value into its cache slot and attends to the slot's positions up to
 * its own, so decode rows and joining prompts need no mask, gather or scatter tensors. Through DJL
 * the same attention is ten or more tensor ops per layer with a fixed cost each.
 *
 * <p>Used by {@link Gpt#nextLogitsCached} when the library loaded, the cache is float32 on the CPU,
 * and it is not switched off ({@code -Drlhf.attention.native=false} or {@link #setEnabled}); the
 * DJL path stays for GPUs and as the reference the tests compare against. Results agree with it to
 * float rounding (a different summation order and an exp of about 1 ulp), and do not depend on the
 * other rows of a pass.
 */
public final class NativeAttention {
  private static final String RESOURCE = "/native/linux-x86_64/librlhf_attention.so";
  private static final String STATUS;
  private static volatile boolean enabled;

  static {
    String status;
    boolean loaded = false;
    try (InputStream in = NativeAttention.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        status = "not built (no C compiler at build time, or not Linux x86_64)";
      } else {
        // a file of its own per load: a library can be loaded by one class loader only
        Path file = Files.createTempFile("rlhf_attention", ".so");
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toString());
        loaded = true;
        status = "native";
      }
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      status = "failed to load: " + e;
    }
    enabled = loaded && !"false".equals(System.getProperty("rlhf.attention.native"));
    STATUS = status;
  }

  private NativeAttention() {}

  /** Whether the library loaded. */
  public static boolean available() {
    return "native".equals(STATUS);
  }

  /** Whether cached passes use it (when their cache is float32 on the CPU). */
  public static boolean enabled() {
    return enabled;
  }

  /**
   * Switches cached passes between this kernel and the DJL ops (tests and benchmarks compare the
   * two); returns the previous setting. Switching on without the library is an error.
   */
  public static boolean setEnabled(boolean on) {
    if (on && !available()) {
      throw new IllegalStateException("native attention: " + STATUS);
    }
    boolean was = enabled;
    enabled = on;
    return was;
  }

  /** One line for logs and benchmark headers: which attention cached passes use, and why. */
  public static String describe() {
    if (enabled) {
      return "native kernel (rlhf_attention)";
    }
    return available() ? "DJL ops (native kernel switched off)" : "DJL ops (native " + STATUS + ")";
  }

  /** Whether a pass over {@code cache} takes this path. */
  static boolean usableFor(KvCache cache) {
    return enabled && cache.nativeLayout();
  }

  /** Whether {@code a} can be handed to the kernel: float32, on the CPU. */
  static boolean kernelLayout(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 && a.getDevice().equals(Device.cpu());
  }

  /**
   * Writes each row's key and value into the cache and replaces each row's q with its attention
   * output, in place.
   *
   * @param qkv (N, 3C) fused projections of the pass's rows, contiguous (a fresh matmul result)
   * @param slots (N) cache slot of each row
   * @param positions (N) position of each row within its slot; it attends to [0, position]
   */
  static void attend(
      NDArray qkv, KvCache cache, int layer, int[] slots, int[] positions, float scale) {
    ByteBuffer rows = JniUtils.getByteBuffer((PtNDArray) qkv, true);
    long c = cache.heads() * (long) cache.headDim();
    if (rows.capacity() != slots.length * 3 * c * Float.BYTES) {
      throw new IllegalStateException("qkv " + qkv.getShape() + " does not match the pass");
    }
    attend(
        rows,
        cache.entryBuffer(layer),
        slots.length,
        cache.heads(),
        cache.headDim(),
        cache.maxSlots(),
        cache.maxLen(),
        slots,
        positions,
        scale);
  }

  private static native void attend(
      ByteBuffer qkv,
      ByteBuffer cache,
      int rows,
      int heads,
      int headDim,
      int slots,
      int maxLen,
      int[] slotOf,
      int[] positionOf,
      float scale);
}
