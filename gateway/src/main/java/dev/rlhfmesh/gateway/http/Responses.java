package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.gateway.errors.ErrorBody;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * How an endpoint that may answer with JSON or with server-sent events writes its response. Both
 * are a {@link RestMulti} whose status and headers are only sent with the first item: a failure
 * before it (bad field, unknown model, downstream down) still gets its own HTTP status and an
 * OpenAI error body; a failure after it is sent as a last {@code data: {"error":...}} event. When
 * the client goes away, Quarkus cancels the subscription and with it the downstream gRPC call.
 *
 * <p>The endpoints declare {@code @Produces(application/json)} (what OpenAI clients accept, also
 * for streams) and this class sets the real Content-Type; JSON-array wrapping is off, so items go
 * out as written. (Declaring text/event-stream would make Quarkus send the headers before the first
 * item, losing the error status, and wrap each item in its own {@code data:}.)
 */
final class Responses {
  static final String DONE = "data: [DONE]\n\n";

  private Responses() {}

  /** One JSON body. */
  static RestMulti<RawText> json(Uni<String> body) {
    return RestMulti.fromMultiData(body.map(RawText::new).toMulti())
        .encodeAsJsonArray(false)
        .status(200)
        .header("Content-Type", "application/json")
        .build();
  }

  /** SSE frames ({@code data: ...\n\n}), already formatted. */
  static RestMulti<RawText> eventStream(Multi<String> frames, ObjectMapper mapper) {
    AtomicBoolean started = new AtomicBoolean();
    Multi<RawText> guarded =
        frames
            .onItem()
            .invoke(() -> started.set(true))
            .onFailure(t -> started.get())
            .recoverWithItem(t -> frame(mapper, ErrorBody.of(t).body()))
            .map(RawText::new);
    return RestMulti.fromMultiData(guarded)
        .encodeAsJsonArray(false)
        .status(200)
        .header("Content-Type", "text/event-stream")
        .header("Cache-Control", "no-cache")
        .header("X-Accel-Buffering", "no")
        .build();
  }

  static String frame(ObjectMapper mapper, Object event) {
    return "data: " + write(mapper, event) + "\n\n";
  }

  static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
