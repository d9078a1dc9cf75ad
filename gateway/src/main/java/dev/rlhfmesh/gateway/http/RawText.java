package dev.rlhfmesh.gateway.http;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;

/**
 * Text that goes out exactly as written (an SSE frame or an already serialized JSON body), whatever
 * media type the endpoint declares — a plain String would be JSON-quoted under application/json.
 */
public record RawText(String text) {

  /** Writes {@link RawText} as UTF-8, unchanged. */
  @Provider
  @Produces(MediaType.WILDCARD)
  public static class Writer implements MessageBodyWriter<RawText> {
    @Override
    public boolean isWriteable(
        Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
      return type == RawText.class;
    }

    @Override
    public void writeTo(
        RawText t,
        Class<?> type,
        Type genericType,
        Annotation[] annotations,
        MediaType mediaType,
        MultivaluedMap<String, Object> headers,
        OutputStream out)
        throws IOException, WebApplicationException {
      out.write(t.text().getBytes(StandardCharsets.UTF_8));
    }
  }
}
