package dev.rlhfmesh.trainersvc.learn.ckpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.io.GptWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads models whose parameters own their memory.
 *
 * <p>Why not {@code Gpt.load}: safetensors tensors are created over Java direct buffers (DJL keeps
 * the buffer alive only through the temporary {@code NDArray} object), and {@code
 * Gpt.fromStateDict} converts them with {@code toType(FLOAT32, true)}, which for F32 input returns
 * an <em>alias</em> (libtorch {@code .to()} ignores DJL's copy flag). Once the temporary arrays are
 * closed and garbage-collected the buffer is freed while the parameters still point into it:
 * in-place optimizer updates then corrupt the native heap ("corrupted size vs. prev_size", SIGABRT,
 * seen here within two PPO iterations). Cloning every tensor ({@code duplicate()}, a libtorch-owned
 * copy) before building the model avoids it. Reported to model-core.
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** A Hugging Face GPT-2 directory as a {@link Gpt} with libtorch-owned parameters. */
  public static Gpt loadGpt(NDManager parent, Path dir) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> raw = owned(tmp, GptWeights.readDirectory(tmp, dir));
      return Gpt.fromStateDict(parent, config, GptWeights.backbone(raw));
    }
  }

  /**
   * A scalar-head model: the directory's {@code score.*} head when its config says {@code
   * "rlhf_head": "scalar"}, otherwise a fresh head (seeded) on the backbone.
   */
  public static ScalarHeadModel loadScalarHead(NDManager parent, Path dir, long seedIfNoHead) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    boolean hasHead =
        "scalar"
            .equals(GptConfig.readField(dir.resolve("config.json"), ScalarHeadModel.HEAD_FIELD));
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> raw = owned(tmp, GptWeights.readDirectory(tmp, dir));
      ScalarHeadModel model =
          ScalarHeadModel.withNewHead(
              Gpt.fromStateDict(parent, config, GptWeights.backbone(raw)), seedIfNoHead);
      if (hasHead) {
        model.loadStateDict(raw); // copyTo: the head keeps its own buffer
      }
      return model;
    }
  }

  /** Tensors of a safetensors file, cloned into libtorch-owned memory (in {@code manager}). */
  public static Map<String, NDArray> readOwned(NDManager manager, Path file) {
    try (NDManager tmp = manager.newSubManager()) {
      Map<String, NDArray> out = owned(tmp, CheckpointFiles.readTensors(tmp, file));
      out.values().forEach(a -> a.attach(manager));
      return out;
    }
  }

  private static Map<String, NDArray> owned(NDManager m, Map<String, NDArray> src) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    src.forEach(
        (k, v) -> {
          NDArray c = v.duplicate();
          c.attach(m);
          c.setName(k);
          out.put(k, c);
        });
    return out;
  }
}
