package dev.rlhfmesh.gateway.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.gateway.fakes.FakeModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Failures as OpenAI error bodies with the right HTTP status; auth; disconnect → cancel. */
@QuarkusTest
class OpenAiErrorsTest {
  @TestHTTPResource("/")
  URL base;

  private static ValidatableResponse post(String path, String body) {
    return given()
        .header("Authorization", OpenAiHttpTest.AUTH)
        .contentType("application/json")
        .body(body)
        .post(path)
        .then();
  }

  private static void openAiError(ValidatableResponse r, int status, String type, String param) {
    r.statusCode(status)
        .contentType(containsString("application/json"))
        .body("error.message", notNullValue())
        .body("error.type", equalTo(type))
        .body("error.code", notNullValue());
    if (param != null) {
      r.body("error.param", equalTo(param));
    }
  }

  @Test
  void badJson_is400() {
    openAiError(post("/v1/completions", "{\"prompt\": "), 400, "invalid_request_error", null);
  }

  @Test
  void wrongFieldType_is400NamingTheField() {
    openAiError(
        post("/v1/completions", "{\"model\":\"policy\",\"prompt\":\"x\",\"temperature\":\"hot\"}"),
        400,
        "invalid_request_error",
        "temperature");
  }

  @Test
  void outOfRangeValues_are400NamingTheOpenAiField() {
    String base = "{\"model\":\"policy\",\"prompt\":\"x\",";
    openAiError(
        post("/v1/completions", base + "\"temperature\":3}"),
        400,
        "invalid_request_error",
        "temperature");
    openAiError(
        post("/v1/completions", base + "\"top_p\":0}"), 400, "invalid_request_error", "top_p");
    openAiError(post("/v1/completions", base + "\"n\":0}"), 400, "invalid_request_error", "n");
    openAiError(post("/v1/completions", base + "\"n\":99}"), 400, "invalid_request_error", "n");
    openAiError(
        post("/v1/completions", base + "\"max_tokens\":100000}"),
        400,
        "invalid_request_error",
        "max_tokens");
    openAiError(
        post("/v1/completions", base + "\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"),
        400,
        "invalid_request_error",
        "stop");
    openAiError(
        post("/v1/completions", base + "\"stop\":7}"), 400, "invalid_request_error", "stop");
    openAiError(
        post("/v1/completions", "{\"model\":\"policy\",\"prompt\":[1,2]}"),
        400,
        "invalid_request_error",
        "prompt");
    openAiError(
        post("/v1/completions", "{\"model\":\"policy\"}"), 400, "invalid_request_error", "prompt");
    openAiError(
        post(
            "/v1/chat/completions",
            "{\"model\":\"policy\",\"messages\":[{\"role\":\"robot\",\"content\":\"x\"}]}"),
        400,
        "invalid_request_error",
        "messages[0].role");
    openAiError(
        post("/v1/chat/completions", "{\"model\":\"policy\",\"messages\":[]}"),
        400,
        "invalid_request_error",
        "messages");
  }

  @Test
  void unknownModel_is404_unaryAndStream() {
    openAiError(
        post("/v1/completions", "{\"model\":\"nope\",\"prompt\":\"x\"}"),
        404,
        "not_found_error",
        null);
    openAiError(
        post(
            "/v1/chat/completions",
            "{\"model\":\"nope\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
        404,
        "not_found_error",
        null);
    openAiError(
        given().header("Authorization", OpenAiHttpTest.AUTH).get("/v1/models/nope").then(),
        404,
        "not_found_error",
        null);
  }

  @Test
  void missingKey_is401WithWwwAuthenticate() {
    openAiError(
        given()
            .contentType("application/json")
            .body("{\"prompt\":\"x\"}")
            .post("/v1/completions")
            .then(),
        401,
        "authentication_error",
        null);
    given().get("/v1/models").then().statusCode(401).header("WWW-Authenticate", "Bearer");
  }

  @Test
  void wrongKey_is401() {
    openAiError(
        given().header("Authorization", "Bearer not-a-key").get("/v1/models").then(),
        401,
        "authentication_error",
        null);
    openAiError(
        given().header("Authorization", "Basic dGVzdC1rZXktMTo=").get("/v1/models").then(),
        401,
        "authentication_error",
        null);
  }

  @Test
  void healthAndMetrics_stayOpen() {
    given().get("/q/health").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
  }

  @Test
  void unknownPath_isOpenAiShaped404() {
    openAiError(
        given().header("Authorization", OpenAiHttpTest.AUTH).get("/v1/nothing-here").then(),
        404,
        "not_found_error",
        null);
  }

  @Test
  void unknownPath_withoutValidKey_is401LikeARealRoute() {
    for (String path : new String[] {"/v1/nothing-here", "/v1/models/x/y", "/v1", "/v1/"}) {
      ValidatableResponse r = given().get(path).then();
      openAiError(r, 401, "authentication_error", null);
      r.header("WWW-Authenticate", "Bearer");
    }
    openAiError(
        given()
            .header("Authorization", "Bearer wrong-key")
            .contentType("application/json")
            .body("{}")
            .post("/v1/no/such/route")
            .then(),
        401,
        "authentication_error",
        null);
    // spellings of a real route that a router might normalise do not get past the key check
    for (String path : new String[] {"//v1/models", "/v1//models", "/./v1/models"}) {
      int status = given().urlEncodingEnabled(false).get(path).then().extract().statusCode();
      assertTrue(status == 401 || status == 404 || status == 400, path + " answered " + status);
    }
  }

  @Test
  void modelOverload_is429WithRetryAfter_unaryAndStream() {
    for (String stream : new String[] {"false", "true"}) {
      ValidatableResponse r =
          post(
              "/v1/completions", "{\"model\":\"busy\",\"prompt\":\"x\",\"stream\":" + stream + "}");
      openAiError(r, 429, "rate_limit_error", null);
      r.header("Retry-After", "1")
          .body("error.message", containsString(FakeModel.BUSY))
          .body("error.message", containsString("retry after 1 s"));
    }
  }

  @Test
  void clientDisconnect_cancelsDownstreamStream() throws Exception {
    CountDownLatch cancelled = new CountDownLatch(1);
    FakeModel.slowCancelled = cancelled;
    String body =
        "{\"model\":\"slow\",\"stream\":true,\"max_tokens\":1000,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\n"
                  + "Authorization: "
                  + OpenAiHttpTest.AUTH
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + bytes.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      String line;
      int dataLines = 0;
      while ((line = in.readLine()) != null && dataLines < 3) {
        if (line.startsWith("data:")) {
          dataLines++;
        }
      }
      assertTrue(dataLines == 3, "stream started");
    }
    assertTrue(
        cancelled.await(5, TimeUnit.SECONDS),
        "closing the HTTP connection cancelled the model-svc stream");
  }
}
