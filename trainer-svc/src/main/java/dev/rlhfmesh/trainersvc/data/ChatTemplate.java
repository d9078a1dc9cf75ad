package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * SFT records given as {@code messages}, rendered with the default chat template that tokenizer-svc
 * and the gateway render with (model-core's {@link dev.rlhfmesh.model.tokenizer.ChatTemplate}), so
 * a model fine-tuned here answers the prompts the gateway sends: every message but the last is
 * rendered, then the generation prompt; the last message, which must be the assistant's, is the
 * response (followed by {@code <|end|>}).
 */
public final class ChatTemplate {
  private static final dev.rlhfmesh.model.tokenizer.ChatTemplate DEFAULT =
      dev.rlhfmesh.model.tokenizer.ChatTemplate.defaultTemplate();

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
    List<dev.rlhfmesh.model.tokenizer.ChatTemplate.Message> prompt = new ArrayList<>();
    for (int i = 0; i < messages.size() - 1; i++) {
      JsonNode m = messages.get(i);
      prompt.add(
          new dev.rlhfmesh.model.tokenizer.ChatTemplate.Message(
              m.path("role").asText(), m.path("content").asText()));
    }
    return new String[] {
      DEFAULT.render(prompt, true, "", ""), last.path("content").asText() + "<|end|>"
    };
  }
}
