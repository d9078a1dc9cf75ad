package dev.rlhfmesh.grpc.weights;

import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.util.List;

/**
 * The serving side of a weight update: what {@link WeightStaging} hands complete, checked updates
 * to. Implemented by each service over its own models (model-svc: GPT decoders; reward-svc: reward
 * models). Implementations throw {@link dev.rlhfmesh.grpc.errors.ServiceException}s: NOT_FOUND for
 * an unknown model, INVALID_ARGUMENT for a manifest that does not fit, FAILED_PRECONDITION for a
 * version that does not move forward.
 */
public interface WeightTarget {

  /** The version a model serves now (NOT_FOUND when unknown). */
  long version(String model);

  /**
   * Checks, before any byte is staged, that the manifest names exactly the model's tensors with
   * their shapes and a dtype the model accepts.
   */
  void checkManifest(String model, List<TensorSpec> manifest);

  /**
   * Swaps in the complete tensors as {@code version}, all or nothing: on any failure the old
   * weights keep serving. Returns the version now serving.
   */
  long apply(String model, long version, List<TensorBytes> tensors);

  /** Loads a directory on the server as {@code version} (all or nothing); returns it. */
  long loadFromDirectory(String model, String directory, long version);
}
