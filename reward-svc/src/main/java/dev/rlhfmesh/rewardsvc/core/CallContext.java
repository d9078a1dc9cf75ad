package dev.rlhfmesh.rewardsvc.core;

import dev.rlhfmesh.grpc.errors.ServiceException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The caller's deadline and cancellation, handed from the gRPC adapter to the logic so that work
 * for a caller who went away is dropped.
 *
 * @param cancelled true once the caller cancelled or its deadline passed
 * @param deadlineNanos {@link System#nanoTime()} value of the deadline, or {@link Long#MAX_VALUE}
 */
public record CallContext(BooleanSupplier cancelled, long deadlineNanos) {
  public static final CallContext NONE = new CallContext(() -> false, Long.MAX_VALUE);

  public static CallContext withTimeout(long timeout, TimeUnit unit) {
    return new CallContext(() -> false, System.nanoTime() + unit.toNanos(timeout));
  }

  /** Nanoseconds left before the deadline (Long.MAX_VALUE when there is none). */
  public long remainingNanos() {
    return deadlineNanos == Long.MAX_VALUE ? Long.MAX_VALUE : deadlineNanos - System.nanoTime();
  }

  public boolean hasDeadline() {
    return deadlineNanos != Long.MAX_VALUE;
  }

  /** Throws DEADLINE_EXCEEDED or CANCELLED when the caller no longer waits. */
  public void check() {
    if (hasDeadline() && remainingNanos() <= 0) {
      throw ServiceException.deadlineExceeded("deadline passed before scoring finished");
    }
    if (cancelled.getAsBoolean()) {
      throw ServiceException.cancelled("caller cancelled the call");
    }
  }

  /** Whether work for this caller should be dropped. */
  public boolean gone() {
    return cancelled.getAsBoolean() || (hasDeadline() && remainingNanos() <= 0);
  }
}
