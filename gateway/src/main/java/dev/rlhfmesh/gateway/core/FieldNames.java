package dev.rlhfmesh.gateway.core;

import java.util.Map;

/**
 * How a caller's API names the fields that validation complains about: the gRPC API uses the proto
 * paths, the OpenAI API its own names (temperature, max_tokens, stop, ...).
 */
@FunctionalInterface
public interface FieldNames {
  /** The caller-facing name of a proto path such as {@code sampling.max_new_tokens}. */
  String name(String protoPath);

  /** The gRPC API: proto paths as they are. */
  FieldNames PROTO = path -> path;

  /** Renames listed paths; others keep their proto path. */
  static FieldNames renaming(Map<String, String> names) {
    return path -> names.getOrDefault(path, path);
  }
}
