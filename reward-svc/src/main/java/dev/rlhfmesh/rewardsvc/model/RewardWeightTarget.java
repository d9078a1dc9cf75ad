package dev.rlhfmesh.rewardsvc.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.ManifestCheck;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightTarget;
import dev.rlhfmesh.model.io.GptWeights;
import dev.rlhfmesh.model.io.WireTensors;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * reward-svc's side of the shared weight-update protocol (grpc-common {@code weights}): the models
 * are the {@code type=model} specs by name; tensors use model-core's names (backbone in Hugging
 * Face GPT-2 naming, optional {@code transformer.} prefix, plus {@code score.weight} (1, C) and
 * {@code score.bias} (1)); F32, F16 or BF16. New weights are built off to the side and swapped in
 * between forward passes ({@link LearnedRewardModel}); a failure leaves the old ones serving.
 */
public final class RewardWeightTarget implements WeightTarget {
  private final Map<String, LearnedRewardModel> models;

  public RewardWeightTarget(Map<String, LearnedRewardModel> models) {
    this.models = Map.copyOf(models);
  }

  private LearnedRewardModel model(String name) {
    LearnedRewardModel m = models.get(name);
    if (m == null) {
      throw ServiceException.notFound("reward model", name);
    }
    return m;
  }

  @Override
  public long version(String model) {
    return model(model).version();
  }

  @Override
  public void checkManifest(String model, List<TensorSpec> manifest) {
    Map<String, long[]> expected = new LinkedHashMap<>();
    model(model).parameterShapes().forEach((name, shape) -> expected.put(name, shape.getShape()));
    ManifestCheck.requireMatches(expected, manifest, GptWeights::strip);
  }

  @Override
  public synchronized long apply(String model, long version, List<TensorBytes> tensors) {
    LearnedRewardModel m = model(model);
    requireForward(m, version);
    try (NDManager tmp = NDManager.newBaseManager()) {
      Map<String, NDArray> dict = new LinkedHashMap<>();
      for (TensorBytes t : tensors) {
        dict.put(
            GptWeights.strip(t.name()),
            WireTensors.toFloat32(tmp, t.safetensorsDtype(), t.shape(), t.data()));
      }
      m.replaceWeights(dict, version, "update:" + version);
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalidArgument(
          "tensors", tensors.size() + " tensors", e.getMessage());
    }
    return m.version();
  }

  /** Any valid reward-model directory, even of another shape: the whole model is replaced. */
  @Override
  public synchronized long loadFromDirectory(String model, String directory, long version) {
    LearnedRewardModel m = model(model);
    requireForward(m, version);
    Path dir = Path.of(directory);
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw ServiceException.invalidArgument("directory", directory, "holds no config.json");
    }
    try {
      m.replaceFromDirectory(dir, version);
    } catch (RuntimeException e) {
      throw ServiceException.invalidArgument("directory", directory, e.getMessage());
    }
    return m.version();
  }

  private static void requireForward(LearnedRewardModel m, long version) {
    if (version <= m.version()) {
      throw ServiceException.failedPrecondition(
          "version "
              + version
              + " does not move forward: reward model '"
              + m.name()
              + "' serves "
              + m.version());
    }
  }
}
