package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rlhfmesh.gateway.core.FieldNames;
import dev.rlhfmesh.gateway.core.Generation;
import dev.rlhfmesh.gateway.core.GenerationRequest;
import dev.rlhfmesh.gateway.core.Prompt;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * OpenAI request fields → a {@link GenerationRequest}, and generation results → OpenAI fields.
 * Range checks happen once, in the core, and name the OpenAI fields through {@link #NAMES}.
 */
final class OpenAiMapping {
  static final FieldNames NAMES =
      FieldNames.renaming(
          Map.of(
              "sampling.temperature", "temperature",
              "sampling.top_p", "top_p",
              "sampling.max_new_tokens", "max_tokens",
              "sampling.n", "n",
              "sampling.stop_strings", "stop"));

  private OpenAiMapping() {}

  static GenerationRequest completion(OpenAiRequests.Completion b, Duration timeout) {
    SamplingParams.Builder s = common(b.temperature(), b.topP(), b.n(), b.seed(), b.stop());
    if (b.maxTokens() != null) {
      s.setMaxNewTokens(atLeastOne("max_tokens", b.maxTokens()));
    }
    if (b.logprobs() != null) {
      if (b.logprobs() < 0 || b.logprobs() > 5) {
        throw ServiceException.invalidArgument("logprobs", b.logprobs(), "must be in [0, 5]");
      }
      s.setReturnLogprobs(true);
    }
    return new GenerationRequest(
        b.model(), new Prompt.Text(promptText(b.prompt())), s.build(), timeout, NAMES);
  }

  static GenerationRequest chat(OpenAiRequests.ChatCompletion b, Duration timeout) {
    SamplingParams.Builder s = common(b.temperature(), b.topP(), b.n(), b.seed(), b.stop());
    if (b.maxCompletionTokens() != null) {
      s.setMaxNewTokens(atLeastOne("max_completion_tokens", b.maxCompletionTokens()));
    } else if (b.maxTokens() != null) {
      s.setMaxNewTokens(atLeastOne("max_tokens", b.maxTokens()));
    }
    if (Boolean.TRUE.equals(b.logprobs())) {
      s.setReturnLogprobs(true);
    }
    if (b.messages() == null) {
      throw ServiceException.invalidArgument("messages", "null", "is required");
    }
    List<ChatMessage> messages = new ArrayList<>();
    for (int i = 0; i < b.messages().size(); i++) {
      OpenAiRequests.Message m = b.messages().get(i);
      if (m == null || m.role() == null) {
        throw ServiceException.invalidArgument("messages[" + i + "].role", "null", "is required");
      }
      // Newer OpenAI clients send "developer" for what older models call "system".
      String role = "developer".equals(m.role()) ? "system" : m.role();
      messages.add(
          ChatMessage.newBuilder().setRole(role).setContent(content(i, role, m.content())).build());
    }
    return new GenerationRequest(b.model(), new Prompt.Chat(messages), s.build(), timeout, NAMES);
  }

  private static SamplingParams.Builder common(
      Double temperature, Double topP, Integer n, Long seed, JsonNode stop) {
    SamplingParams.Builder s = SamplingParams.newBuilder();
    if (temperature != null) {
      s.setTemperature(temperature.floatValue());
    }
    if (topP != null) {
      s.setTopP(topP.floatValue());
    }
    if (n != null) {
      s.setN(atLeastOne("n", n));
    }
    if (seed != null) {
      s.setSeed(seed);
    }
    s.addAllStopStrings(stop(stop));
    return s;
  }

  private static int atLeastOne(String field, int v) {
    if (v < 1) {
      throw ServiceException.invalidArgument(field, v, "must be >= 1");
    }
    return v;
  }

  /** A string, or an array holding exactly one string. */
  private static String promptText(JsonNode p) {
    if (p == null || p.isNull()) {
      throw ServiceException.invalidArgument("prompt", "null", "is required");
    }
    if (p.isTextual()) {
      return p.textValue();
    }
    if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
      return p.get(0).textValue();
    }
    throw ServiceException.invalidArgument(
        "prompt", p.toString(), "must be a string (or an array of exactly one string)");
  }

  private static List<String> stop(JsonNode stop) {
    if (stop == null || stop.isNull()) {
      return List.of();
    }
    if (stop.isTextual()) {
      return List.of(stop.textValue());
    }
    if (stop.isArray()) {
      List<String> out = new ArrayList<>();
      for (JsonNode s : stop) {
        if (!s.isTextual()) {
          throw ServiceException.invalidArgument("stop", stop.toString(), "must hold strings");
        }
        out.add(s.textValue());
      }
      return out;
    }
    throw ServiceException.invalidArgument(
        "stop", stop.toString(), "must be a string or an array of strings");
  }

  /** A string, null (only assistant turns, which may carry tool calls instead), or text parts. */
  private static String content(int i, String role, JsonNode c) {
    if (c == null || c.isNull()) {
      if (!"assistant".equals(role)) {
        throw ServiceException.invalidArgument(
            "messages[" + i + "].content", "null", "is required for role '" + role + "'");
      }
      return "";
    }
    if (c.isTextual()) {
      return c.textValue();
    }
    if (c.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : c) {
        if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
          throw ServiceException.invalidArgument(
              "messages[" + i + "].content", part.toString(), "only text parts are supported");
        }
        text.append(part.get("text").textValue());
      }
      return text.toString();
    }
    throw ServiceException.invalidArgument(
        "messages[" + i + "].content", c.toString(), "must be a string or an array of text parts");
  }

  static Object completionLogprobs(Generation.Choice c) {
    if (c.logprobs().isEmpty()) {
      return null;
    }
    List<Integer> offsets = new ArrayList<>();
    int at = 0;
    for (String t : c.tokens()) {
      offsets.add(at);
      at += t.length();
    }
    return new OpenAiResponses.CompletionLogprobs(c.tokens(), c.logprobs(), null, offsets);
  }

  static Object chatLogprobs(Generation.Choice c) {
    if (c.logprobs().isEmpty()) {
      return null;
    }
    List<OpenAiResponses.TokenLogprob> content = new ArrayList<>();
    for (int i = 0; i < c.logprobs().size(); i++) {
      String token = i < c.tokens().size() ? c.tokens().get(i) : "";
      List<Integer> bytes = new ArrayList<>();
      for (byte x : token.getBytes(StandardCharsets.UTF_8)) {
        bytes.add(x & 0xff);
      }
      content.add(new OpenAiResponses.TokenLogprob(token, c.logprobs().get(i), bytes, List.of()));
    }
    return new OpenAiResponses.ChatLogprobs(content);
  }
}
