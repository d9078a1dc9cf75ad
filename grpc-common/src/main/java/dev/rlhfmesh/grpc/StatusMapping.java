package dev.rlhfmesh.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/** The one place where failures become gRPC statuses. */
public final class StatusMapping {
  private static final Logger LOG = Logger.getLogger(StatusMapping.class);

  private StatusMapping() {}

  public static Status toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException sre) {
      return sre.getStatus();
    }
    if (t instanceof StatusException se) {
      return se.getStatus();
    }
    if (t instanceof ServiceException se) {
      return codeOf(se).withDescription(se.getMessage());
    }
    if (t instanceof IllegalArgumentException) {
      return Status.INVALID_ARGUMENT.withDescription(t.getMessage());
    }
    if (t instanceof RejectedExecutionException) {
      return Status.RESOURCE_EXHAUSTED.withDescription(t.getMessage());
    }
    if (t instanceof CancellationException) {
      return Status.CANCELLED.withDescription(t.getMessage());
    }
    if (t instanceof TimeoutException) {
      return Status.DEADLINE_EXCEEDED.withDescription(t.getMessage());
    }
    LOG.errorf(t, "internal error");
    return Status.INTERNAL.withDescription(t.getClass().getSimpleName() + ": " + t.getMessage());
  }

  public static StatusRuntimeException toException(Throwable failure) {
    return toStatus(failure).asRuntimeException();
  }

  private static Status codeOf(ServiceException e) {
    return switch (e.kind()) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
      case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case UNIMPLEMENTED -> Status.UNIMPLEMENTED;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
      case CANCELLED -> Status.CANCELLED;
    };
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }
}
