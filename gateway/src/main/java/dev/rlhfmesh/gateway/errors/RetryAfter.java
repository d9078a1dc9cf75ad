package dev.rlhfmesh.gateway.errors;

import io.grpc.Metadata;
import io.grpc.Status;
import java.util.OptionalLong;

/**
 * The retry hint every refusal for load carries, whichever side refused: the gateway's own rate
 * limit (seconds from the key's token bucket) or an overloaded model-svc (RESOURCE_EXHAUSTED from
 * its admission queue). HTTP sends it as {@code Retry-After}, gRPC as a {@code retry-after}
 * trailer; both say it in the message too ("retry after N s"). The values are whole seconds, as the
 * header requires.
 */
public final class RetryAfter {
  public static final String HEADER = "Retry-After";
  public static final Metadata.Key<String> TRAILER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  /**
   * Wait after a downstream overload. A model-svc queue drains in well under a second at the sizes
   * served here, and one second is the smallest value the header can say.
   */
  public static final long OVERLOAD_SECONDS = 1;

  private static final String PHRASE = "retry after ";

  private RetryAfter() {}

  /** The hint a failure calls for: only a refusal for load (RESOURCE_EXHAUSTED) has one. */
  public static OptionalLong of(Status status) {
    return status.getCode() == Status.Code.RESOURCE_EXHAUSTED
        ? OptionalLong.of(OVERLOAD_SECONDS)
        : OptionalLong.empty();
  }

  /** {@code status} with "retry after N s" in its description, unless it already says so. */
  public static Status describe(Status status, long seconds) {
    String d = status.getDescription();
    if (d != null && d.contains(PHRASE)) {
      return status;
    }
    String hint = PHRASE + seconds + " s";
    return status.withDescription(d == null || d.isEmpty() ? hint : d + "; " + hint);
  }

  /** Puts the trailer on {@code trailers} unless a hint is there already. */
  public static void put(Metadata trailers, long seconds) {
    if (!trailers.containsKey(TRAILER)) {
      trailers.put(TRAILER, Long.toString(seconds));
    }
  }
}
