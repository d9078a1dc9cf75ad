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
 * Loads the models the trainers start from. {@code Gpt.load}/{@code fromStateDict} already give
 * parameters that own their memory (model-core clones what it reads); checkpoint tensors read here
 * for optimizer state are cloned the same way, since the safetensors reader wraps Java buffers that
 * only the temporary arrays keep alive.
 */
public final class ModelFiles {
  private ModelFiles() {}

  /** A Hugging Face GPT-2 directory as a {@link Gpt} with libtorch-owned parameters. */
  public static Gpt loadGpt(NDManager parent, Path dir) {
    return Gpt.load(parent, dir);
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
      Map<String, NDArray> raw = GptWeights.readDirectory(tmp, dir);
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
