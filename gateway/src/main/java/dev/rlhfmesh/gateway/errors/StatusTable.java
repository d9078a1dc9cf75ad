package dev.rlhfmesh.gateway.errors;

import io.grpc.Status;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one gRPC status ⇄ HTTP status table of the gateway, with the OpenAI error {@code type} each
 * HTTP answer carries. Every HTTP error body and every gRPC status the gateway sends for an HTTP
 * failure is derived from here.
 *
 * <pre>
 * gRPC code            HTTP  OpenAI type
 * INVALID_ARGUMENT     400   invalid_request_error
 * OUT_OF_RANGE         400   invalid_request_error
 * FAILED_PRECONDITION  400   invalid_request_error
 * UNAUTHENTICATED      401   authentication_error
 * PERMISSION_DENIED    403   permission_error
 * NOT_FOUND            404   not_found_error
 * ALREADY_EXISTS       409   conflict_error
 * ABORTED              409   conflict_error
 * RESOURCE_EXHAUSTED   429   rate_limit_error
 * CANCELLED            499   cancelled
 * UNKNOWN, INTERNAL,
 *   DATA_LOSS          500   server_error
 * UNIMPLEMENTED        501   not_implemented_error
 * UNAVAILABLE          503   service_unavailable_error
 * DEADLINE_EXCEEDED    504   timeout_error
 * </pre>
 */
public final class StatusTable {
  /** One row: the HTTP status and OpenAI error type of a gRPC code. */
  public record Row(Status.Code grpc, int http, String type) {}

  private static final Map<Status.Code, Row> BY_CODE = new EnumMap<>(Status.Code.class);

  static {
    row(Status.Code.OK, 200, "ok");
    row(Status.Code.INVALID_ARGUMENT, 400, "invalid_request_error");
    row(Status.Code.OUT_OF_RANGE, 400, "invalid_request_error");
    row(Status.Code.FAILED_PRECONDITION, 400, "invalid_request_error");
    row(Status.Code.UNAUTHENTICATED, 401, "authentication_error");
    row(Status.Code.PERMISSION_DENIED, 403, "permission_error");
    row(Status.Code.NOT_FOUND, 404, "not_found_error");
    row(Status.Code.ALREADY_EXISTS, 409, "conflict_error");
    row(Status.Code.ABORTED, 409, "conflict_error");
    row(Status.Code.RESOURCE_EXHAUSTED, 429, "rate_limit_error");
    row(Status.Code.CANCELLED, 499, "cancelled");
    row(Status.Code.UNKNOWN, 500, "server_error");
    row(Status.Code.INTERNAL, 500, "server_error");
    row(Status.Code.DATA_LOSS, 500, "server_error");
    row(Status.Code.UNIMPLEMENTED, 501, "not_implemented_error");
    row(Status.Code.UNAVAILABLE, 503, "service_unavailable_error");
    row(Status.Code.DEADLINE_EXCEEDED, 504, "timeout_error");
  }

  private StatusTable() {}

  private static void row(Status.Code code, int http, String type) {
    BY_CODE.put(code, new Row(code, http, type));
  }

  /** gRPC → HTTP. */
  public static Row of(Status.Code code) {
    return BY_CODE.getOrDefault(code, BY_CODE.get(Status.Code.INTERNAL));
  }

  /**
   * HTTP → gRPC, for failures that arise in the HTTP layer itself (unknown path 404, wrong method
   * 405, body too large 413, unsupported media type 415...). The first row with that HTTP status
   * wins; other 4xx are INVALID_ARGUMENT, other 5xx INTERNAL.
   */
  public static Row ofHttp(int http) {
    for (Row r : BY_CODE.values()) {
      if (r.http() == http) {
        return r;
      }
    }
    return switch (http) {
      case 405 -> new Row(Status.Code.UNIMPLEMENTED, 405, "invalid_request_error");
      case 413 -> new Row(Status.Code.RESOURCE_EXHAUSTED, 413, "invalid_request_error");
      default ->
          http >= 500
              ? new Row(Status.Code.INTERNAL, http, "server_error")
              : new Row(Status.Code.INVALID_ARGUMENT, http, "invalid_request_error");
    };
  }
}
