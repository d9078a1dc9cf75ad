package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** Response bodies and stream chunks of the OpenAI-compatible API, with OpenAI's field names. */
public final class OpenAiResponses {
  private OpenAiResponses() {}

  /** Token counts. */
  public record Usage(
      @JsonProperty("prompt_tokens") int promptTokens,
      @JsonProperty("completion_tokens") int completionTokens,
      @JsonProperty("total_tokens") int totalTokens) {
    static Usage of(int prompt, int completion) {
      return new Usage(prompt, completion, prompt + completion);
    }
  }

  /** {@code text_completion} (also each completions stream chunk). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Completion(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("choices") List<CompletionChoice> choices,
      @JsonProperty("usage") Usage usage) {}

  public record CompletionChoice(
      @JsonProperty("index") int index,
      @JsonProperty("text") String text,
      @JsonProperty("logprobs") Object logprobs,
      @JsonProperty("finish_reason") String finishReason) {}

  /** {@code chat.completion}. */
  public record ChatCompletion(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("choices") List<ChatChoice> choices,
      @JsonProperty("usage") Usage usage) {}

  public record ChatChoice(
      @JsonProperty("index") int index,
      @JsonProperty("message") ChatMessage message,
      @JsonProperty("logprobs") Object logprobs,
      @JsonProperty("finish_reason") String finishReason) {}

  public record ChatMessage(
      @JsonProperty("role") String role, @JsonProperty("content") String content) {}

  /** {@code chat.completion.chunk}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ChatChunk(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("model") String model,
      @JsonProperty("choices") List<ChunkChoice> choices,
      @JsonProperty("usage") Usage usage) {}

  public record ChunkChoice(
      @JsonProperty("index") int index,
      @JsonProperty("delta") Delta delta,
      @JsonProperty("logprobs") Object logprobs,
      @JsonProperty("finish_reason") String finishReason) {}

  /** Only the fields that changed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Delta(@JsonProperty("role") String role, @JsonProperty("content") String content) {}

  /** Completions logprobs (legacy shape). */
  public record CompletionLogprobs(
      @JsonProperty("tokens") List<String> tokens,
      @JsonProperty("token_logprobs") List<Float> tokenLogprobs,
      @JsonProperty("top_logprobs") Object topLogprobs,
      @JsonProperty("text_offset") List<Integer> textOffset) {}

  /** Chat logprobs: {@code {"content":[{"token","logprob","bytes","top_logprobs"}]}}. */
  public record ChatLogprobs(@JsonProperty("content") List<TokenLogprob> content) {}

  public record TokenLogprob(
      @JsonProperty("token") String token,
      @JsonProperty("logprob") float logprob,
      @JsonProperty("bytes") List<Integer> bytes,
      @JsonProperty("top_logprobs") List<Object> topLogprobs) {}

  /** {@code GET /v1/models}. */
  public record ModelList(
      @JsonProperty("object") String object, @JsonProperty("data") List<Model> data) {}

  public record Model(
      @JsonProperty("id") String id,
      @JsonProperty("object") String object,
      @JsonProperty("created") long created,
      @JsonProperty("owned_by") String ownedBy) {}
}
