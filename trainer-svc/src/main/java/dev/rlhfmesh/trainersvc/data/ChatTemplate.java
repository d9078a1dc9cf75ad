package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The chat template for SFT records given as {@code messages}, the same as tokenizer-svc's default
 * ({@code <|{role}|>\n{content}<|end|>\n} per message, then the generation prompt {@code
 * <|assistant|>\n}), so a model fine-tuned here answers the prompts the gateway renders: every
 * message but the last is rendered, the generation prompt ends the prompt, and the last message,
 * which must be the assistant's, is the response (followed by {@code <|end|>}).
 */
public final class ChatTemplate {
  private ChatTemplate() {}

  /** {prompt text, response text}. */
  public static String[] render(JsonNode messages) {
    if (!messages.isArray() || messages.size() < 2) {
      throw new IllegalArgumentException("'messages' must be an array of at least 2 messages");
    }
    JsonNode last = messages.get(messages.size() - 1);
    if (!"assistant".equals(last.path("role").asText())) {
      throw new IllegalArgumentException("the last message must have role 'assistant'");
    }
    StringBuilder prompt = new StringBuilder();
    for (int i = 0; i < messages.size() - 1; i++) {
      JsonNode m = messages.get(i);
      String role = m.path("role").asText();
      if (!role.equals("system") && !role.equals("user") && !role.equals("assistant")) {
        throw new IllegalArgumentException("message " + i + ": unknown role '" + role + "'");
      }
      prompt.append("<|").append(role).append("|>\n").append(m.path("content").asText());
      prompt.append("<|end|>\n");
    }
    prompt.append("<|assistant|>\n");
    return new String[] {prompt.toString(), last.path("content").asText() + "<|end|>"};
  }
}
