package dev.rlhfmesh.model.gpt;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.rlhfmesh.model.GptConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
   * Binds a model's weights: checks that every tensor is float32 on the CPU (in C also its byte
   * size against the config) and keeps their addresses. Returns a handle for {@link #run}, or 0 —
   * and {@link #describe} then says why — when a tensor is elsewhere or libtorch's MKL functions
   * are not there. The tensors must stay alive and in place until {@link #release}. One bind at a
   * time: the first resolves the library's MKL function pointers.
   *
   * @param params the model's parameters by Hugging Face GPT-2 name
   */
  static synchronized long bind(GptConfig c, Map<String, NDArray> params) {
    List<String> names = new ArrayList<>(GLOBAL_ORDER);
    for (int i = 0; i < c.nLayer(); i++) {
      for (String t : LAYER_ORDER) {
        names.add("h." + i + "." + t);
      }
    }
    ByteBuffer[] buffers = new ByteBuffer[names.size()];
    for (int i = 0; i < buffers.length; i++) {
      NDArray a = params.get(names.get(i));
      if (!kernelLayout(a)) {
        unbound = names.get(i) + " is not float32 on the CPU";
        return 0;
      }
      buffers[i] = JniUtils.getByteBuffer((PtNDArray) a, true); // no copy: contiguous
    }
    long handle =
        bindAddresses(
            buffers,
            c.nLayer(),
            c.nEmbd(),
            c.nHead(),
            c.nInner(),
            c.vocabSize(),
            c.nPositions(),
            c.layerNormEpsilon(),
            "gelu".equals(c.activation()));
    if (handle == 0) {
      unbound = "libtorch's MKL functions (sgemm_, vsErf, vsTanh) were not found";
    }
    return handle;
  }

  /**
   * Tensors in the order the native bind takes them: these, then {@link #LAYER_ORDER} per layer.
   */
  private static final List<String> GLOBAL_ORDER =
      List.of("wte.weight", "wpe.weight", "ln_f.weight", "ln_f.bias");

  private static final List<String> LAYER_ORDER =
      List.of(
          "ln_1.weight",
          "ln_1.bias",
          "attn.c_attn.weight",
          "attn.c_attn.bias",
          "attn.c_proj.weight",
          "attn.c_proj.bias",
          "ln_2.weight",
          "ln_2.bias",
          "mlp.c_fc.weight",
          "mlp.c_fc.bias",
          "mlp.c_proj.weight",
          "mlp.c_proj.bias");

  private static native long bindAddresses(
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
