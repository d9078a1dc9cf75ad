package dev.rlhfmesh.grpc.weights;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The manifest rule every {@link WeightTarget} of a float model applies before anything is staged:
 * every expected tensor exactly once, with its exact shape and a float dtype, and nothing else. All
 * problems are reported together in one {@code INVALID_ARGUMENT}.
 */
public final class ManifestCheck {
  private ManifestCheck() {}

  /**
   * @param expected parameter name → shape the model has
   * @param manifest what the caller will send
   * @param canonicalName maps a sent name to the model's naming (e.g. drops a {@code transformer.}
   *     prefix)
   */
  public static void requireMatches(
      Map<String, long[]> expected,
      List<TensorSpec> manifest,
      UnaryOperator<String> canonicalName) {
    List<String> problems = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (TensorSpec s : manifest) {
      String name = canonicalName.apply(s.getName());
      long[] want = expected.get(name);
      if (want == null) {
        problems.add("unknown tensor " + s.getName());
        continue;
      }
      if (!seen.add(name)) {
        problems.add("tensor " + name + " listed twice");
      }
      long[] shape = s.getShapeList().stream().mapToLong(Long::longValue).toArray();
      if (!Arrays.equals(shape, want)) {
        problems.add(
            "tensor "
                + name
                + " has shape "
                + Arrays.toString(shape)
                + ", expected "
                + Arrays.toString(want));
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
}
