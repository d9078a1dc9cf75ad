package dev.rlhfmesh.grpc.errors;

import java.util.Objects;

/**
 * The one exception service logic throws for an expected failure. It carries an {@link ErrorKind}
 * and a message meant for the caller, so the adapters never build statuses themselves.
 */
public final class ServiceException extends RuntimeException {
  private final ErrorKind kind;

  public ServiceException(ErrorKind kind, String message) {
    this(kind, message, null);
  }

  public ServiceException(ErrorKind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public ErrorKind kind() {
    return kind;
  }

  /** Bad input: {@code field 'prompts[2].ids[5]' = 70000: must be in [0, 50257)}. */
  public static ServiceException invalidArgument(String field, Object value, String why) {
    return new ServiceException(
        ErrorKind.INVALID_ARGUMENT, "field '" + field + "' = " + render(value) + ": " + why);
  }

  public static ServiceException notFound(String what, String name) {
    return new ServiceException(ErrorKind.NOT_FOUND, what + " '" + name + "' not found");
  }

  public static ServiceException resourceExhausted(String message) {
    return new ServiceException(ErrorKind.RESOURCE_EXHAUSTED, message);
  }

  public static ServiceException unauthenticated(String message) {
    return new ServiceException(ErrorKind.UNAUTHENTICATED, message);
  }

  public static ServiceException failedPrecondition(String message) {
    return new ServiceException(ErrorKind.FAILED_PRECONDITION, message);
  }

  public static ServiceException unimplemented(String message) {
    return new ServiceException(ErrorKind.UNIMPLEMENTED, message);
  }

  public static ServiceException unavailable(String message, Throwable cause) {
    return new ServiceException(ErrorKind.UNAVAILABLE, message, cause);
  }

  public static ServiceException deadlineExceeded(String message) {
    return new ServiceException(ErrorKind.DEADLINE_EXCEEDED, message);
  }

  public static ServiceException cancelled(String message) {
    return new ServiceException(ErrorKind.CANCELLED, message);
  }

  private static String render(Object value) {
    if (value instanceof CharSequence s) {
      String text = s.length() > 80 ? s.subSequence(0, 80) + "…" : s.toString();
      return "\"" + text + "\"";
    }
    return String.valueOf(value);
  }
}
