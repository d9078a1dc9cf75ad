package dev.rlhfmesh.gateway.errors;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.rlhfmesh.grpc.StatusMapping;
import io.grpc.Status;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * OpenAI's error envelope {@code {"error":{"message","type","param","code"}}} and the HTTP status
 * it goes out with; built from any failure through grpc-common's {@link StatusMapping} and {@link
 * StatusTable}.
 */
public record ErrorBody(@JsonProperty("error") Detail error) {
  /** The inner object OpenAI clients read. */
  public record Detail(
      @JsonProperty("message") String message,
      @JsonProperty("type") String type,
      @JsonProperty("param") String param,
      @JsonProperty("code") String code) {}

  /** {@code field 'x.y' = ...} as written by ServiceException.invalidArgument. */
  private static final Pattern FIELD = Pattern.compile("^field '([^']+)'");

  /**
   * The HTTP status and body of a failure, and the seconds a refused caller should wait before
   * retrying ({@link RetryAfter}; empty when waiting would not help).
   */
  public record Answer(int httpStatus, ErrorBody body, OptionalLong retryAfterSeconds) {}

  public static Answer of(Throwable failure) {
    return of(StatusMapping.toStatus(failure));
  }

  /** A failure status; a refusal for load gets the overload retry hint. */
  public static Answer of(Status status) {
    OptionalLong retry = RetryAfter.of(status);
    return retry.isPresent() ? of(status, retry.getAsLong()) : answer(status, retry);
  }

  /** A refusal for load with its own retry hint (the rate limiter's). */
  public static Answer of(Status status, long retryAfterSeconds) {
    return answer(
        RetryAfter.describe(status, retryAfterSeconds), OptionalLong.of(retryAfterSeconds));
  }

  private static Answer answer(Status status, OptionalLong retry) {
    StatusTable.Row row = StatusTable.of(status.getCode());
    String message = status.getDescription() == null ? row.type() : status.getDescription();
    return new Answer(row.http(), build(message, row, paramOf(message)), retry);
  }

  /** For failures raised by the HTTP layer itself (see {@link StatusTable#ofHttp}). */
  public static Answer ofHttp(int httpStatus, String message, String param) {
    StatusTable.Row row = StatusTable.ofHttp(httpStatus);
    return new Answer(httpStatus, build(message, row, param), OptionalLong.empty());
  }

  private static ErrorBody build(String message, StatusTable.Row row, String param) {
    String code = row.grpc().name().toLowerCase(Locale.ROOT);
    return new ErrorBody(new Detail(message, row.type(), param, code));
  }

  private static String paramOf(String message) {
    if (message == null) {
      return null;
    }
    Matcher m = FIELD.matcher(message);
    return m.find() ? m.group(1) : null;
  }
}
