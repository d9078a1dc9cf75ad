package dev.rlhfmesh.model.gpt;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A whole cached inference pass on the CPU as one native call ({@code src/main/c/cached_step.c} and
 * {@code cached_attention.c}, built into this jar where the build has a C compiler): embeddings,
 * every block and the LM head, with the matmuls in the same MKL {@code sgemm} that libtorch's own
 * matmul calls (libtorch exports it) and the attention written for the slot cache — each packed row
 * attends to its slot's positions up to its own, so decode rows and joining prompts need no masks,
 * gathers or scatters. Through DJL the same pass is ~18 tensor ops per layer, each with a fixed
 * cost of 1–10 µs.
 *
 * <p>Used by {@link Gpt#nextLogitsCached} when the library loaded, libtorch's MKL functions were
 * found, the weights and cache are float32 on the CPU, and it is not switched off ({@code
 * -Drlhf.native.decode=false} or {@link #setEnabled}). The DJL path stays for GPUs and as the
 * reference the tests compare against. Results agree with it to float rounding (other summation
 * orders, an exp of about 1 ulp) and do not depend on the other rows of a pass.
 */
public final class NativeStep {
  private static final String RESOURCE = "/native/linux-x86_64/librlhf_native.so";
  private static final String STATUS;
  private static volatile boolean enabled;

  static {
    String status;
    boolean loaded = false;
    try (InputStream in = NativeStep.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        status = "not built (no C compiler at build time, or not Linux x86_64)";
      } else {
        // a file of its own per load: a library can be loaded by one class loader only
        Path file = Files.createTempFile("rlhf_native", ".so");
        file.toFile().deleteOnExit();
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        System.load(file.toString());
        loaded = true;
        status = "native";
      }
    } catch (IOException | UnsatisfiedLinkError | SecurityException e) {
      status = "failed to load: " + e;
    }
    enabled = loaded && !"false".equals(System.getProperty("rlhf.native.decode"));
    STATUS = status;
  }

  private static final java.util.concurrent.atomic.LongAdder PASSES =
      new java.util.concurrent.atomic.LongAdder();

  private NativeStep() {}

  private static final ThreadLocal<Boolean> THREAD_READY = ThreadLocal.withInitial(() -> false);

  /**
   * Before a thread's first pass: applies torch's intra-op thread count to this thread. MKL's count
   * is per thread ({@code mkl_set_num_threads_local}), and libtorch sets it on a thread lazily, the
   * first time the thread runs a parallel torch op; a decode thread that runs only native passes
   * never does, so MKL would take every core and its OpenMP workers would spin between calls
   * (measured: a served model at -Dai.djl.pytorch.num_threads=1 burned two cores for one core's
   * work). {@code get_num_threads} runs that lazy set-up.
   */
  static void prepareThread() {
    if (!THREAD_READY.get()) {
      ai.djl.pytorch.jni.JniUtils.getNumThreads();
      THREAD_READY.set(true);
    }
  }

  /** Cached passes this process ran natively (tests check that the kernel really ran). */
  public static long passes() {
    return PASSES.sum();
  }

  static void counted() {
    PASSES.increment();
  }

  /** Whether the library loaded. */
  public static boolean available() {
    return "native".equals(STATUS);
  }

  /** Whether cached passes use it (when their weights and cache are float32 on the CPU). */
  public static boolean enabled() {
    return enabled;
  }

  /**
   * Switches cached passes between this kernel and the DJL ops (tests and benchmarks compare the
   * two); returns the previous setting. Switching on without the library is an error.
   */
  public static boolean setEnabled(boolean on) {
    if (on && !available()) {
      throw new IllegalStateException("native decoding: " + STATUS);
    }
    boolean was = enabled;
    enabled = on;
    return was;
  }

  private static volatile String unbound; // why a model could not be bound, if one could not

  /** Notes that a model could not be bound (its passes run as DJL ops); see {@link #describe}. */
  static void bindFailed(String why) {
    unbound = why;
  }

  /** One line for logs and benchmark headers: how cached passes run, and why. */
  public static String describe() {
    if (enabled) {
      String note = unbound == null ? "" : "; but DJL ops where " + unbound;
      return "native step (rlhf_native: MKL sgemm from libtorch, slot-cache attention)" + note;
    }
    return available() ? "DJL ops (native step switched off)" : "DJL ops (native " + STATUS + ")";
  }

  /** Whether {@code a} can be handed to the kernel: float32, on the CPU. */
  static boolean kernelLayout(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 && a.getDevice().equals(Device.cpu());
  }

  /**
   * Checks the tensors' sizes and keeps their addresses: a handle for {@link #run}, or 0 when
   * libtorch's MKL functions are not there. The tensors must stay alive and in place until {@link
   * #release}.
   *
   * @param tensors direct buffers over wte, wpe, ln_f (weight, bias), then per layer ln_1 (2),
   *     c_attn (2), attn.c_proj (2), ln_2 (2), c_fc (2), mlp.c_proj (2): weight before bias
   */
  static synchronized long bind(
      ByteBuffer[] tensors,
      int layers,
      int embd,
      int heads,
      int inner,
      int vocab,
      int positions,
      float eps,
      boolean exactGelu) {
    // one bind at a time: the first resolves the library's MKL function pointers
    return bind0(tensors, layers, embd, heads, inner, vocab, positions, eps, exactGelu);
  }

  private static native long bind0(
      ByteBuffer[] tensors,
      int layers,
      int embd,
      int heads,
      int inner,
      int vocab,
      int positions,
      float eps,
      boolean exactGelu);

  static native void release(long handle);

  /**
   * One pass over packed rows: row n appends token {@code ids[n]} at {@code positions[n]} of slot
   * {@code slots[n]}; the logits after row {@code last[b]} go to {@code logits[b * V ...]}. Every
   * index is checked before memory is touched.
   *
   * @param cache direct buffer over the cache's one (layers, 2, slots, H, maxLen, D) tensor
   */
  static native void run(
      long handle,
      ByteBuffer cache,
      int slots,
      int maxLen,
      int[] ids,
      int[] slotOf,
      int[] positionOf,
      int[] last,
      float[] logits);
}
