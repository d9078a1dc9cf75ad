package dev.rlhfmesh.gateway.core;

import java.util.List;

/**
 * A finished unary generation.
 *
 * @param model served model name
 * @param choices one per sample, by index
 * @param promptTokens prompt length in tokens
 * @param completionTokens generated tokens over all choices
 */
public record Generation(
    String model, List<Choice> choices, int promptTokens, int completionTokens) {

  /**
   * One sample.
   *
   * @param index sample index
   * @param text generated text (cut before a stop string)
   * @param finishReason "stop", "length" or "cancelled"
   * @param logprobs per-token logprobs (nats) when requested, else empty
   * @param tokens per-token texts when logprobs were requested, else empty
   */
  public record Choice(
      int index, String text, String finishReason, List<Float> logprobs, List<String> tokens) {}
}
