package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightTarget;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.io.GptWeights;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    Map<String, Shape> expected = Gpt.parameterShapes(registry.get(model).config());
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (TensorSpec s : manifest) {
      String name = GptWeights.strip(s.getName());
      Shape want = expected.get(name);
      if (want == null) {
        problems.add("unknown tensor " + s.getName());
        continue;
      }
      seen.add(name);
      long[] shape = s.getShapeList().stream().mapToLong(Long::longValue).toArray();
      if (!Arrays.equals(shape, want.getShape())) {
        problems.add(
            "tensor " + name + " has shape " + Arrays.toString(shape) + ", expected " + want);
      }
      if (s.getDtype() != DType.D_TYPE_FLOAT32
          && s.getDtype() != DType.D_TYPE_FLOAT16
          && s.getDtype() != DType.D_TYPE_BFLOAT16) {
        problems.add("tensor " + name + " has dtype " + s.getDtype() + ", expected a float type");
      }
    }
    for (String name : expected.keySet()) {
      if (!seen.contains(name)) {
        problems.add("missing tensor " + name);
      }
    }
    if (!problems.isEmpty()) {
      throw ServiceException.invalidArgument(
          "manifest", manifest.size() + " tensors", String.join("; ", problems));
    }
  }

  @Override
  public long apply(String model, long version, List<TensorBytes> tensors) {
    ServedModel served = registry.get(model);
    requireForward(served, version);
    Gpt gpt;
    try (NDManager tmp = served.manager().newSubManager()) {
      Map<String, NDArray> dict = new LinkedHashMap<>();
      for (TensorBytes t : tensors) {
        dict.put(GptWeights.strip(t.name()), toArray(tmp, t));
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

  /** Wire bytes (little-endian) to an NDArray in {@code m}; BF16 is widened to F32 by hand. */
  static NDArray toArray(NDManager m, TensorBytes t) {
    Shape shape = new Shape(t.shape());
    byte[] data = t.data();
    if (t.dtype() == DType.D_TYPE_BFLOAT16) {
      ByteBuffer src = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
      float[] f = new float[data.length / 2];
      for (int i = 0; i < f.length; i++) {
        f[i] = Float.intBitsToFloat((src.getShort(2 * i) & 0xFFFF) << 16);
      }
      return owned(m, m.create(f, shape));
    }
    DataType type =
        switch (t.dtype()) {
          case D_TYPE_FLOAT32 -> DataType.FLOAT32;
          case D_TYPE_FLOAT16 -> DataType.FLOAT16;
          default ->
              throw ServiceException.invalidArgument(
                  "manifest.dtype", t.dtype(), "tensor " + t.name() + " needs a float type");
        };
    ByteBuffer direct = ByteBuffer.allocateDirect(data.length).order(ByteOrder.nativeOrder());
    direct.put(data).rewind();
    return owned(m, m.create(direct, shape, type));
  }

  /**
   * A copy of {@code wrapped} in memory that libtorch owns. DJL creates arrays over a Java direct
   * buffer without copying, and {@code Gpt.fromStateDict}'s {@code toType(FLOAT32, true)} can alias
   * its source when the type already matches: parameters built from a wrapped buffer would dangle
   * once the source is closed and its buffer collected (seen: NaN logits after a GC). {@code
   * duplicate()} is a torch clone, so the parameters keep their storage alive themselves.
   */
  static NDArray owned(NDManager m, NDArray wrapped) {
    NDArray copy = wrapped.duplicate();
    copy.attach(m);
    wrapped.close();
    return copy;
  }
}
