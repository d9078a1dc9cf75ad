package dev.rlhfmesh.gateway.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rlhfmesh.gateway.fakes.FakeModel;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible endpoints over real HTTP, with downstream fakes (see TestDownstream). */
@QuarkusTest
class OpenAiHttpTest {
  static final String AUTH = "Bearer " + TestDownstream.KEY;

  private static Response post(String path, String body) {
    return given()
        .header("Authorization", AUTH)
        .contentType("application/json")
        .body(body)
        .post(path);
  }

  @Test
  void completion_returnsTextUsageAndFinishReason() {
    Response r =
        post(
            "/v1/completions",
            "{\"model\":\""
                + TestDownstream.model()
                + "\",\"prompt\":\"Hello\",\"max_tokens\":32}");
    r.then()
        .statusCode(200)
        .contentType(startsWith("application/json"))
        .body("object", equalTo("text_completion"))
        .body("id", startsWith("cmpl-"))
        .body("model", equalTo(TestDownstream.model()))
        .body("choices[0].index", equalTo(0));
    JsonPath j = r.jsonPath();
    assertEquals(
        j.getInt("usage.prompt_tokens") + j.getInt("usage.completion_tokens"),
        j.getInt("usage.total_tokens"));
    if (TestDownstream.fakes()) {
      assertEquals(FakeModel.REPLY, j.getString("choices[0].text"));
      assertEquals("stop", j.getString("choices[0].finish_reason"));
      assertEquals(5, j.getInt("usage.prompt_tokens"));
      assertEquals(13, j.getInt("usage.completion_tokens")); // 12 bytes + EOS
    }
  }

  @Test
  void completion_mapsOpenAiFieldsToSamplingParams() {
    assumeTrue(TestDownstream.fakes());
    post(
            "/v1/completions",
            "{\"model\":\"policy\",\"prompt\":[\"Hello\"],\"max_tokens\":3,\"temperature\":0.5,"
                + "\"top_p\":0.9,\"n\":2,\"seed\":42,\"stop\":[\"xx\",\"yy\"],\"user\":\"u\","
                + "\"frequency_penalty\":0,\"some_future_field\":{\"a\":1}}")
        .then()
        .statusCode(200)
        .body("choices.size()", equalTo(2))
        .body("choices[1].index", equalTo(1))
        .body("choices[0].text", equalTo("Hi "))
        .body("choices[0].finish_reason", equalTo("length"));
    var s = FakeModel.LAST_SAMPLING.get();
    assertEquals(0.5f, s.getTemperature());
    assertEquals(0.9f, s.getTopP(), 1e-6);
    assertEquals(2, s.getN());
    assertEquals(42L, s.getSeed());
    assertEquals(3, s.getMaxNewTokens());
    assertEquals(List.of("xx", "yy"), s.getStopStringsList());
    long deadline = FakeModel.LAST_DEADLINE_MS.get();
    assertTrue(deadline > 0 && deadline <= 10_000, "downstream deadline was " + deadline);
  }

  @Test
  void completion_cutsAtStopString() {
    assumeTrue(TestDownstream.fakes());
    post(
            "/v1/completions",
            "{\"model\":\"policy\",\"prompt\":\"echo:abcSTOPdef\",\"stop\":\"STOP\"}")
        .then()
        .statusCode(200)
        .body("choices[0].text", equalTo("abc"))
        .body("choices[0].finish_reason", equalTo("stop"));
  }

  @Test
  void completion_logprobs() {
    assumeTrue(TestDownstream.fakes());
    post("/v1/completions", "{\"model\":\"policy\",\"prompt\":\"echo:ab\",\"logprobs\":1}")
        .then()
        .statusCode(200)
        .body("choices[0].logprobs.token_logprobs.size()", equalTo(3))
        .body("choices[0].logprobs.tokens[0]", equalTo("a"));
  }

  @Test
  void chat_returnsAssistantMessage() {
    Response r =
        post(
            "/v1/chat/completions",
            "{\"model\":\""
                + TestDownstream.model()
                + "\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],"
                + "\"max_completion_tokens\":32}");
    r.then()
        .statusCode(200)
        .body("object", equalTo("chat.completion"))
        .body("id", startsWith("chatcmpl-"))
        .body("choices[0].message.role", equalTo("assistant"));
    if (TestDownstream.fakes()) {
      r.then()
          .body("choices[0].message.content", equalTo(FakeModel.REPLY))
          .body("choices[0].finish_reason", equalTo("stop"));
    }
  }

  @Test
  void chatStream_sendsSseChunksWithWholeCharactersAndDone() {
    Response r =
        post(
            "/v1/chat/completions",
            "{\"model\":\""
                + TestDownstream.model()
                + "\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":32}");
    r.then().statusCode(200).contentType(startsWith("text/event-stream"));
    List<String> events = Sse.data(r.asString());
    assertEquals("[DONE]", events.get(events.size() - 1));
    JsonPath first = new JsonPath(events.get(0));
    assertEquals("chat.completion.chunk", first.getString("object"));
    assertEquals("assistant", first.getString("choices[0].delta.role"));
    StringBuilder text = new StringBuilder();
    String finish = null;
    int contentChunks = 0;
    boolean wholeSnowman = false;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonPath j = new JsonPath(e);
      if (j.getList("choices").isEmpty()) {
        assertTrue(j.getInt("usage.completion_tokens") > 0, "usage chunk: " + e);
        continue;
      }
      String content = j.getString("choices[0].delta.content");
      if (content != null) {
        assertFalse(content.contains("\uFFFD"), "half a character in " + e);
        wholeSnowman |= content.equals("\u2603");
        text.append(content);
        contentChunks++;
      }
      if (j.getString("choices[0].finish_reason") != null) {
        finish = j.getString("choices[0].finish_reason");
      }
    }
    assertTrue(contentChunks > 1, "streamed in pieces");
    assertEquals("stop", finish == null ? "stop" : finish);
    if (TestDownstream.fakes()) {
      assertEquals(FakeModel.REPLY, text.toString());
      assertTrue(wholeSnowman, "the 3-byte snowman, split over 3 tokens, arrives as one piece");
      assertEquals("stop", finish);
    }
  }

  @Test
  void completionStream_holdsBackAndCutsStopString() {
    assumeTrue(TestDownstream.fakes());
    Response r =
        post(
            "/v1/completions",
            "{\"model\":\"policy\",\"prompt\":\"echo:ab\u00e9STcdSTOPef\",\"stop\":[\"STOP\"],"
                + "\"stream\":true,\"max_tokens\":40}");
    r.then().statusCode(200).contentType(startsWith("text/event-stream"));
    List<String> events = Sse.data(r.asString());
    assertEquals("[DONE]", events.get(events.size() - 1));
    StringBuilder text = new StringBuilder();
    String finish = null;
    for (String e : events.subList(0, events.size() - 1)) {
      JsonPath j = new JsonPath(e);
      assertEquals("text_completion", j.getString("object"));
      text.append(j.getString("choices[0].text"));
      finish = j.getString("choices[0].finish_reason");
    }
    assertEquals("ab\u00e9STcd", text.toString());
    assertEquals("stop", finish);
  }

  @Test
  void models_listsServedModels() {
    given()
        .header("Authorization", AUTH)
        .get("/v1/models")
        .then()
        .statusCode(200)
        .body("object", equalTo("list"))
        .body("data.id", hasItem(TestDownstream.model()))
        .body("data[0].object", equalTo("model"));
    given()
        .header("Authorization", AUTH)
        .get("/v1/models/" + TestDownstream.model())
        .then()
        .statusCode(200)
        .body("id", equalTo(TestDownstream.model()));
  }

  @Test
  void retry_seededGenerateIsRetriedOnceOnUnavailable_unseededIsNot() {
    assumeTrue(TestDownstream.fakes());
    FakeModel.FLAKY_CALLS.set(0);
    post("/v1/completions", "{\"model\":\"flaky\",\"prompt\":\"Hello\",\"seed\":7}")
        .then()
        .statusCode(200)
        .body("choices[0].text", equalTo(FakeModel.REPLY));
    assertEquals(2, FakeModel.FLAKY_CALLS.get());
    FakeModel.FLAKY_CALLS.set(0);
    post("/v1/completions", "{\"model\":\"flaky\",\"prompt\":\"Hello\"}")
        .then()
        .statusCode(503)
        .body("error.type", equalTo("service_unavailable_error"));
    assertEquals(1, FakeModel.FLAKY_CALLS.get());
  }
}
