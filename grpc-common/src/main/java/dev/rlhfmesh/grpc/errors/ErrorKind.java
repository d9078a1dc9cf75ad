package dev.rlhfmesh.grpc.errors;

/**
 * What went wrong, in the vocabulary of the contracts (see ARCHITECTURE.md, "Errors"). Service
 * logic speaks only this; {@link dev.rlhfmesh.grpc.StatusMapping} turns it into a gRPC status.
 */
public enum ErrorKind {
  /** Bad input: the message names the field and the value. */
  INVALID_ARGUMENT,
  /** Unknown model, reward spec, job or update. */
  NOT_FOUND,
  /** A full queue or a capacity limit. */
  RESOURCE_EXHAUSTED,
  /** Missing or wrong credential. */
  UNAUTHENTICATED,
  /** Valid request that the current state forbids (e.g. a version that does not move forward). */
  FAILED_PRECONDITION,
  /** A feature that is not built; the message says which and where it is tracked. */
  UNIMPLEMENTED,
  /** A downstream service could not be reached. */
  UNAVAILABLE,
  /** The caller's deadline passed. */
  DEADLINE_EXCEEDED,
  /** The caller went away. */
  CANCELLED
}
