package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.io.GptWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads a Hugging Face GPT-2 directory like {@code Gpt.load}, but with parameters that own their
 * memory. Work-around for a model-core issue: {@code Safetensors.read} wraps Java direct buffers
 * without copying and {@code Gpt.fromStateDict}'s {@code toType(FLOAT32, true)} aliases F32
 * sources, so {@code Gpt.load}'s parameters point into buffers that the garbage collector frees
 * once the temporary arrays are closed (seen here as NaN logits some time after a load).
 */
public final class OwnedGptLoader {
  private OwnedGptLoader() {}

  /** Reads config.json + model.safetensors (or shards) under {@code parent}. */
  public static Gpt load(NDManager parent, Path dir) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> backbone = GptWeights.backbone(GptWeights.readDirectory(tmp, dir));
      Map<String, NDArray> owned = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : backbone.entrySet()) {
        owned.put(e.getKey(), ModelWeightTarget.owned(tmp, e.getValue()));
      }
      return Gpt.fromStateDict(parent, config, owned);
    }
  }
}
