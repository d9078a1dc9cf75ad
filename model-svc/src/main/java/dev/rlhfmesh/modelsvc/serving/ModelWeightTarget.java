package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.ManifestCheck;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightTarget;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.io.GptWeights;
import dev.rlhfmesh.model.io.WireTensors;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * model-svc's side of the weight-update protocol: checks manifests against a served GPT's
 * parameters (Hugging Face names, optional {@code transformer.} prefix; F32, F16 or BF16), builds
 * new weights off to the side from complete updates or directories, and publishes them between
 * decode steps. The serving weights change only when everything succeeded.
 */
public final class ModelWeightTarget implements WeightTarget {
  private final ModelRegistry registry;

  public ModelWeightTarget(ModelRegistry registry) {
    this.registry = registry;
  }

  @Override
  public long version(String model) {
    return registry.get(model).version();
  }

  @Override
  public void checkManifest(String model, List<TensorSpec> manifest) {
    Map<String, long[]> expected = new LinkedHashMap<>();
    Gpt.parameterShapes(registry.get(model).config())
        .forEach((name, shape) -> expected.put(name, shape.getShape()));
    ManifestCheck.requireMatches(expected, manifest, GptWeights::strip);
  }

  @Override
  public long apply(String model, long version, List<TensorBytes> tensors) {
    ServedModel served = registry.get(model);
    requireForward(served, version);
    Gpt gpt;
    try (NDManager tmp = served.manager().newSubManager()) {
      Map<String, NDArray> dict = new LinkedHashMap<>();
      for (TensorBytes t : tensors) {
        dict.put(
            GptWeights.strip(t.name()),
            WireTensors.toFloat32(tmp, t.safetensorsDtype(), t.shape(), t.data()));
      }
      gpt = build(served, dict);
    }
    return served.publish(new Weights(gpt, version, "update:" + version));
  }

  @Override
  public long loadFromDirectory(String model, String directory, long version) {
    ServedModel served = registry.get(model);
    requireForward(served, version);
    Path dir = Path.of(directory);
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw ServiceException.invalidArgument("directory", directory, "holds no config.json");
    }
    GptConfig config;
    try {
      config = GptConfig.fromJson(dir);
    } catch (RuntimeException e) {
      throw ServiceException.invalidArgument("directory", directory, e.getMessage());
    }
    if (!config.equals(served.config())) {
      throw ServiceException.invalidArgument(
          "directory",
          directory,
          "its config " + config + " differs from the served " + served.config());
    }
    Gpt gpt;
    try {
      gpt = Gpt.load(served.manager(), dir);
    } catch (RuntimeException e) {
      throw ServiceException.invalidArgument("directory", directory, e.getMessage());
    }
    return served.publish(new Weights(gpt, version, dir.toString()));
  }

  private static void requireForward(ServedModel served, long version) {
    if (version <= served.version()) {
      throw ServiceException.failedPrecondition(
          "version "
              + version
              + " does not move forward: model '"
              + served.name()
              + "' serves "
              + served.version());
    }
  }

  private static Gpt build(ServedModel served, Map<String, NDArray> dict) {
    try {
      return Gpt.fromStateDict(served.manager(), served.config(), dict);
    } catch (IllegalArgumentException e) {
      throw ServiceException.invalidArgument("tensors", dict.size() + " tensors", e.getMessage());
    }
  }
}
