package dev.rlhfmesh.gateway.downstream;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.smallrye.mutiny.Uni;
import java.util.function.Supplier;

/**
 * Retries an idempotent unary call once when the replica that took it was UNAVAILABLE; with the
 * round-robin balancer the second attempt goes to another replica. Only calls whose repetition
 * cannot change the outcome are passed here: tokenizer Encode/Decode/ApplyChatTemplate (pure
 * functions), model ListModels/GetModelInfo, and Generate with a seed (the same seed gives the same
 * tokens). Streams are never retried: tokens may already have been relayed.
 */
final class Retry {
  private Retry() {}

  static <T> Uni<T> onceIfUnavailable(Supplier<Uni<T>> call) {
    return Uni.createFrom()
        .deferred(() -> call.get())
        .onFailure(Retry::unavailable)
        .recoverWithUni(() -> Uni.createFrom().deferred(() -> call.get()));
  }

  static boolean unavailable(Throwable t) {
    return t instanceof StatusRuntimeException e
        && e.getStatus().getCode() == Status.Code.UNAVAILABLE;
  }
}
