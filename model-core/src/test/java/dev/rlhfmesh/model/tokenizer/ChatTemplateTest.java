package dev.rlhfmesh.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  static final List<ChatTemplate.Message> CHAT =
      List.of(
          new ChatTemplate.Message("system", "Be brief."),
          new ChatTemplate.Message("user", "23+58="));

  @Test
  void defaultTemplate_usesRoleMarkersAndEndToken() {
    String text = ChatTemplate.defaultTemplate().render(CHAT, true, "", "<|endoftext|>");
    assertEquals("<|system|>\nBe brief.<|end|>\n<|user|>\n23+58=<|end|>\n<|assistant|>\n", text);
  }

  @Test
  void render_withoutGenerationPrompt_endsAfterLastMessage() {
    String text = ChatTemplate.defaultTemplate().render(CHAT, false, "", "");
    assertTrue(text.endsWith("23+58=<|end|>\n"));
  }

  @Test
  void customTemplate_substitutesBosEosAndKeepsOtherBracesLiteral() {
    ChatTemplate t = ChatTemplate.parse("{bos}[{role}] {content} {x}{eos}{generation}[assistant] ");
    assertEquals(
        "<s>[user] hi {x}</s>[assistant] ",
        t.render(List.of(new ChatTemplate.Message("user", "hi")), true, "<s>", "</s>"));
  }

  @Test
  void render_neverExpandsPlaceholdersInsideContent() {
    String text =
        ChatTemplate.defaultTemplate()
            .render(List.of(new ChatTemplate.Message("user", "{role}{generation}")), false, "", "");
    assertEquals("<|user|>\n{role}{generation}<|end|>\n", text);
  }

  @Test
  void render_rejectsUnknownRoleNamingTheField() {
    InvalidMessageException e =
        assertThrows(
            InvalidMessageException.class,
            () ->
                ChatTemplate.defaultTemplate()
                    .render(List.of(new ChatTemplate.Message("robot", "x")), false, "", ""));
    assertEquals("messages[0].role", e.field());
    assertEquals("robot", e.value());
    assertTrue(e.getMessage().contains("messages[0].role"), e.getMessage());
  }

  @Test
  void parse_rejectsTemplateWithoutContent() {
    assertThrows(IllegalArgumentException.class, () -> ChatTemplate.parse("{role}"));
  }

  @Test
  void looksLikeJinja_detectsJinjaTags() {
    assertTrue(ChatTemplate.looksLikeJinja("{% for m in messages %}{{ m.content }}{% endfor %}"));
  }
}
