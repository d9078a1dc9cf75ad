package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.gateway.errors.ErrorBody;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A request whose {@code Content-Length} is over {@code quarkus.http.limits.max-body-size} gets 413
 * with an OpenAI error body, and the connection is left open: Vert.x reads and drops the rest of
 * the body of a request whose response has ended, so the client reads the answer and the connection
 * serves its next request (tested). Quarkus's own check, which would run next, answers an empty 413
 * and closes the connection at once: the client is then usually still sending, the unread bytes
 * turn the close into a reset, and a client that had not read the answer yet saw a reset instead of
 * the 413 (11 of 300 curl uploads of 1 MiB + 4 KiB, ninth session). A body that has not ended
 * {@value #DRAIN_MS} ms after the answer closes the HTTP/1.x connection. Bodies sent without a
 * length (chunked) are left to Quarkus's body reader.
 */
@ApplicationScoped
public class BodyLimit {
  static final long DRAIN_MS = 10_000;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize limit;

  @Inject ObjectMapper mapper;

  void install(@Observes Router router) {
    router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::check);
  }

  private void check(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    long length = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
    long max = limit.asLongValue();
    if (length <= max) {
      ctx.next();
      return;
    }
    if (request.version() != HttpVersion.HTTP_2) {
      long timer = ctx.vertx().setTimer(DRAIN_MS, t -> request.connection().close());
      request.endHandler(v -> ctx.vertx().cancelTimer(timer));
    }
    ErrorBody.Answer a =
        ErrorBody.ofHttp(
            413,
            "request body of "
                + length
                + " bytes is over the limit of "
                + max
                + " bytes (quarkus.http.limits.max-body-size)",
            null);
    ctx.response()
        .setStatusCode(a.httpStatus())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(Responses.write(mapper, a.body()));
  }

  /** The declared body length; -1 when there is none or it is not a number (Netty judges those). */
  private static long declaredLength(String header) {
    if (header == null) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
