package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Request bodies of the OpenAI-compatible API, as the OpenAI clients send them. Unknown fields are
 * ignored; fields whose type varies (prompt, stop, content) are read as JSON and checked by {@link
 * OpenAiMapping}.
 */
public final class OpenAiRequests {
  private OpenAiRequests() {}

  /** {@code POST /v1/completions}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Completion(
      @JsonProperty("model") String model,
      @JsonProperty("prompt") JsonNode prompt,
      @JsonProperty("max_tokens") Integer maxTokens,
      @JsonProperty("temperature") Double temperature,
      @JsonProperty("top_p") Double topP,
      @JsonProperty("n") Integer n,
      @JsonProperty("stream") Boolean stream,
      @JsonProperty("stop") JsonNode stop,
      @JsonProperty("seed") Long seed,
      @JsonProperty("logprobs") Integer logprobs,
      @JsonProperty("stream_options") StreamOptions streamOptions) {}

  /** {@code POST /v1/chat/completions}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record ChatCompletion(
      @JsonProperty("model") String model,
      @JsonProperty("messages") List<Message> messages,
      @JsonProperty("max_tokens") Integer maxTokens,
      @JsonProperty("max_completion_tokens") Integer maxCompletionTokens,
      @JsonProperty("temperature") Double temperature,
      @JsonProperty("top_p") Double topP,
      @JsonProperty("n") Integer n,
      @JsonProperty("stream") Boolean stream,
      @JsonProperty("stop") JsonNode stop,
      @JsonProperty("seed") Long seed,
      @JsonProperty("logprobs") Boolean logprobs,
      @JsonProperty("stream_options") StreamOptions streamOptions) {}

  /** A chat message; content is a string or an array of {@code {"type":"text","text":...}}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Message(
      @JsonProperty("role") String role, @JsonProperty("content") JsonNode content) {}

  /** {@code stream_options}: {@code include_usage} adds a last chunk with the token counts. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record StreamOptions(@JsonProperty("include_usage") Boolean includeUsage) {}
}
