package dev.rlhfmesh.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmark's HTTP/1.1 client against the JDK's HTTP server, over real sockets. */
class LeanHttp1ClientTest {
  private HttpServer server;
  private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    // echoes the request body, with a Content-Length
    server.createContext("/fixed", x -> answer(x, 200, body(x), false));
    // answers 100 KB in chunks (the JDK server chunks when the length is given
    // as 0)
    server.createContext("/chunked", x -> answer(x, 200, "x".repeat(100_000) + body(x), true));
    server.createContext("/missing", x -> answer(x, 404, "{\"error\":\"no such route\"}", false));
    server.createContext(
        "/hangup",
        x -> {
          x.sendResponseHeaders(200, 1000);
          x.getResponseBody().write("short".getBytes(StandardCharsets.UTF_8));
          x.close(); // fewer bytes than promised: the server drops the connection
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void readsFixedLengthAndChunkedAnswersToTheirEndOnOneKeptAliveConnection() throws Exception {
    try (LeanHttp1Client client = new LeanHttp1Client(server.getAddress(), 1)) {
      // alternating framings on the one connection: an answer read short or
      // long would leave bytes that break the next one's status line
      for (int i = 0; i < 6; i++) {
        String path = i % 2 == 0 ? "/fixed" : "/chunked";
        assertNull(call(client, request(path, "{\"call\":" + i + "}")), path + " call " + i);
      }
    }
    assertEquals(1, clientPorts.size(), "one keep-alive connection for all calls");
  }

  @Test
  void anotherStatusIsAFailureNamingItAndTheBody() throws Exception {
    try (LeanHttp1Client client = new LeanHttp1Client(server.getAddress(), 1)) {
      Throwable t = call(client, request("/missing", "{}"));
      assertNotNull(t);
      assertEquals("HTTP 404: {\"error\":\"no such route\"}", t.getMessage());
      assertNull(call(client, request("/fixed", "{}")), "the connection stays usable");
    }
  }

  @Test
  void aConnectionClosedMidAnswerFailsTheCallAndTheNextCallOpensANewOne() throws Exception {
    try (LeanHttp1Client client = new LeanHttp1Client(server.getAddress(), 1)) {
      Throwable t = call(client, request("/hangup", "{}"));
      assertNotNull(t, "a truncated answer must not count as a success");
      assertNull(call(client, request("/fixed", "{}")));
    }
  }

  @Test
  void concurrentCallsShareAtMostMaxConnections() throws Exception {
    try (LeanHttp1Client client = new LeanHttp1Client(server.getAddress(), 3)) {
      List<CompletableFuture<Throwable>> calls =
          java.util.stream.IntStream.range(0, 40)
              .mapToObj(
                  i -> {
                    CompletableFuture<Throwable> f = new CompletableFuture<>();
                    client.send(request(i % 2 == 0 ? "/fixed" : "/chunked", "{}"), f::complete);
                    return f;
                  })
              .toList();
      for (CompletableFuture<Throwable> f : calls) {
        assertNull(f.get(10, TimeUnit.SECONDS));
      }
    }
    assertTrue(
        clientPorts.size() >= 1 && clientPorts.size() <= 3, "connections used: " + clientPorts);
  }

  @Test
  void aCallAfterCloseFailsInsteadOfWaiting() throws Exception {
    LeanHttp1Client client = new LeanHttp1Client(server.getAddress(), 1);
    assertNull(call(client, request("/fixed", "{}")));
    client.close();
    Throwable t = call(client, request("/fixed", "{}"));
    assertNotNull(t);
    assertEquals("client closed", t.getMessage());
  }

  private static byte[] request(String path, String body) {
    return LeanHttp1Client.post("127.0.0.1", path, List.of("Content-Type: application/json"), body);
  }

  private static Throwable call(LeanHttp1Client client, byte[] request) throws Exception {
    CompletableFuture<Throwable> f = new CompletableFuture<>();
    client.send(request, f::complete);
    return f.get(10, TimeUnit.SECONDS);
  }

  private String body(HttpExchange x) throws IOException {
    clientPorts.add(x.getRemoteAddress().getPort());
    return new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static void answer(HttpExchange x, int status, String body, boolean chunked)
      throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.sendResponseHeaders(status, chunked ? 0 : b.length);
    try (OutputStream out = x.getResponseBody()) {
      if (chunked) {
        for (int at = 0; at < b.length; at += 7_000) {
          out.write(b, at, Math.min(7_000, b.length - at));
          out.flush();
        }
      } else {
        out.write(b);
      }
    }
  }
}
