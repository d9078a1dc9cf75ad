package dev.rlhfmesh.reliability;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Malformed and hostile requests to every gateway HTTP route, one row each with the documented HTTP
 * status. Adding a route adds rows here, not a test.
 */
public final class HttpBadInputs {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /**
   * One request: method, path, JSON body (null: none), expected status; {@code bug} names a known
   * defect of the service when the row does not get its status yet (null: none).
   */
  public record Row(
      String method, String path, byte[] body, int expected, String what, String bug) {
    public Row(String method, String path, byte[] body, int expected, String what) {
      this(method, path, body, expected, what, null);
    }

    @Override
    public String toString() {
      return method + " " + path + ": " + what + " -> " + expected;
    }
  }

  private HttpBadInputs() {}

  static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** {@code {"model":"policy","prompt":"<bytes>"}} with raw bytes that are not UTF-8. */
  static byte[] invalidUtf8(String field) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(json("{\"model\":\"policy\",\"" + field + "\":\"ab"));
    b.writeBytes(
        new byte[] {
          (byte) 0xff, (byte) 0xfe, (byte) 0xc3, (byte) 0x28, (byte) 0xed, (byte) 0xa0, (byte) 0x80
        });
    b.writeBytes(json("\",\"max_tokens\":2}"));
    return b.toByteArray();
  }

  static byte[] invalidUtf8Chat() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(json("{\"model\":\"policy\",\"messages\":[{\"role\":\"user\",\"content\":\""));
    b.writeBytes(new byte[] {(byte) 0xc0, (byte) 0xaf, (byte) 0xff});
    b.writeBytes(json("\"}],\"max_tokens\":2}"));
    return b.toByteArray();
  }

  public static List<Row> rows() {
    List<Row> r = new ArrayList<>();
    String c = "/v1/completions";
    String ch = "/v1/chat/completions";
    String okChat = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
    for (String path : List.of(c, ch)) {
      r.add(new Row("POST", path, json("{"), 400, "truncated JSON"));
      r.add(new Row("POST", path, json("[1,2,3]"), 400, "JSON array instead of object"));
      r.add(new Row("POST", path, json(""), 400, "empty body"));
      r.add(new Row("POST", path, json("not json at all"), 400, "not JSON"));
      r.add(
          new Row(
              "POST",
              path,
              json("{\"model\":\"policy\",\"max_tokens\":\"many\"}"),
              400,
              "max_tokens is a string"));
      r.add(
          new Row(
              "POST",
              path,
              json("{\"model\":\"policy\",\"temperature\":{\"a\":1}}"),
              400,
              "temperature is an object"));
      r.add(new Row("POST", path, new byte[(1 << 20) + 4096], 413, "body over 1 MiB"));
    }
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"temperature\":-1}"),
            400,
            "negative temperature"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"temperature\":1e999}"),
            400,
            "temperature overflows to Infinity"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"temperature\":\"NaN\"}"),
            400,
            "temperature \"NaN\""));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"top_p\":-0.5}"),
            400,
            "negative top_p"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"max_tokens\":-1}"),
            400,
            "negative max_tokens"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"max_tokens\":99999999999}"),
            400,
            "max_tokens past int range"));
    r.add(
        new Row(
            "POST", c, json("{\"model\":\"policy\",\"prompt\":\"hi\",\"n\":1000}"), 400, "n 1000"));
    r.add(
        new Row("POST", c, json("{\"model\":\"policy\",\"prompt\":\"hi\",\"n\":-2}"), 400, "n -2"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"hi\",\"logprobs\":99}"),
            400,
            "logprobs 99"));
    r.add(
        new Row(
            "POST",
            c,
            json(
                "{\"model\":\"policy\",\"prompt\":\"hi\",\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"),
            400,
            "5 stop strings"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":[1,2,3]}"),
            400,
            "prompt as token ids"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"policy\",\"prompt\":\"" + "a".repeat(65_537) + "\"}"),
            400,
            "prompt over max-prompt-chars"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"no-such-model\",\"prompt\":\"hi\",\"max_tokens\":2}"),
            404,
            "unknown model"));
    r.add(
        new Row(
            "POST",
            c,
            json("{\"model\":\"no-such-model\",\"prompt\":\"hi\",\"stream\":true}"),
            404,
            "unknown model, streamed"));
    r.add(new Row("POST", c, invalidUtf8("prompt"), 400, "invalid UTF-8 in the prompt"));
    r.add(new Row("POST", ch, json("{\"model\":\"policy\",\"messages\":[]}"), 400, "no messages"));
    r.add(new Row("POST", ch, json("{\"model\":\"policy\"}"), 400, "missing messages"));
    r.add(
        new Row(
            "POST",
            ch,
            json("{\"model\":\"policy\",\"messages\":[{\"role\":\"root\",\"content\":\"x\"}]}"),
            400,
            "unknown role"));
    r.add(
        new Row(
            "POST",
            ch,
            json("{\"model\":\"policy\",\"messages\":[{\"role\":\"user\",\"content\":5}]}"),
            400,
            "content is a number"));
    r.add(
        new Row(
            "POST",
            ch,
            json("{\"model\":\"policy\",\"messages\":[{\"role\":\"user\"}]}"),
            400,
            "message without content"));
    r.add(
        new Row(
            "POST",
            ch,
            json("{\"model\":\"policy\"," + okChat + ",\"temperature\":-3}"),
            400,
            "negative temperature"));
    r.add(
        new Row(
            "POST",
            ch,
            json("{\"model\":\"policy\"," + okChat + ",\"max_completion_tokens\":-3}"),
            400,
            "negative max_completion_tokens"));
    r.add(new Row("POST", ch, json("{\"model\":\"nope\"," + okChat + "}"), 404, "unknown model"));
    r.add(new Row("POST", ch, invalidUtf8Chat(), 400, "invalid UTF-8 in a message"));
    r.add(new Row("GET", "/v1/models/no-such-model", null, 404, "unknown model"));
    r.add(new Row("GET", "/v1/no-such-route", null, 404, "unknown route"));
    r.add(new Row("POST", "/v1/jobs", json("{"), 400, "truncated JSON job spec"));
    r.add(new Row("POST", "/v1/jobs", json("{\"no_such_field\":1}"), 400, "unknown JobSpec field"));
    r.add(new Row("POST", "/v1/jobs", json("{\"seed\":\"abc\"}"), 400, "seed not a number"));
    return r;
  }

  /** Sends {@code row} with {@code key} (null: no Authorization header); returns the status. */
  public static HttpResponse<String> send(int port, Row row, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + row.path()))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Accept", row.body() == null ? "*/*" : "application/json");
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    b.method(
        row.method(),
        row.body() == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(row.body()));
    // One try: the gateway answers a body over its limit with 413 and reads the rest of it, so the
    // connection stays open (before the ninth session it closed it under the client: a reset on the
    // request itself or on the next one through the pool)
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
