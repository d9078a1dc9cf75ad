package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.rlhfmesh.gateway.errors.ErrorBody;
import dev.rlhfmesh.gateway.errors.RetryAfter;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every HTTP failure as an OpenAI error body {@code {"error":{"message","type","param","code"}}}
 * with the status from {@link dev.rlhfmesh.gateway.errors.StatusTable}.
 */
public class ErrorMappers {

  @ServerExceptionMapper
  public Response any(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause != cause.getCause()) {
      if (cause instanceof JsonProcessingException) {
        break;
      }
      cause = cause.getCause();
    }
    if (cause instanceof JsonProcessingException j) {
      return json(j);
    }
    return answer(ErrorBody.of(t));
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    if (e.getCause() instanceof JsonProcessingException j) {
      return json(j);
    }
    int status = e.getResponse().getStatus();
    return answer(ErrorBody.ofHttp(status, e.getMessage(), null));
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e) {
    String param = null;
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      param =
          m.getPath().stream()
              .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
              .collect(Collectors.joining("."))
              .replace(".[", "[");
    }
    String message = "invalid JSON body: " + e.getOriginalMessage();
    return answer(ErrorBody.ofHttp(400, message, param));
  }

  /** More specific than the JSON-reader's own text/plain mapper, so it wins. */
  @ServerExceptionMapper
  public Response mismatched(MismatchedInputException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response invalidFormat(InvalidFormatException e) {
    return json(e);
  }

  @ServerExceptionMapper
  public Response parse(JsonParseException e) {
    return json(e);
  }

  /** The one place an HTTP error response is built: status, OpenAI body, retry hint. */
  static Response answer(ErrorBody.Answer a) {
    Response.ResponseBuilder r =
        Response.status(a.httpStatus()).type(MediaType.APPLICATION_JSON).entity(a.body());
    a.retryAfterSeconds().ifPresent(s -> r.header(RetryAfter.HEADER, Long.toString(s)));
    return r.build();
  }
}
