package dev.rlhfmesh.trainersvc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
  private final ObjectMapper json = new ObjectMapper();

  private JsonNode messages(String text) throws Exception {
    return json.readTree(text);
  }

  @Test
  void render_promptIsTheSharedDefaultTemplateAndTheLastMessageIsTheResponse() throws Exception {
    String[] pr =
        ChatTemplate.render(
            messages(
                "[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                    + "{\"role\":\"user\",\"content\":\"2+2?\"},"
                    + "{\"role\":\"assistant\",\"content\":\"4\"}]"));
    assertArrayEquals(
        new String[] {
          "<|system|>\nBe brief.<|end|>\n<|user|>\n2+2?<|end|>\n<|assistant|>\n", "4<|end|>"
        },
        pr);
  }

  @Test
  void render_refusesAnUnknownRoleAndAMissingAssistantAnswer() throws Exception {
    IllegalArgumentException role =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ChatTemplate.render(
                    messages(
                        "[{\"role\":\"robot\",\"content\":\"hi\"},"
                            + "{\"role\":\"assistant\",\"content\":\"4\"}]")));
    assertTrue(role.getMessage().contains("messages[0].role"), role.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ChatTemplate.render(messages("[{\"role\":\"user\",\"content\":\"2+2?\"}]")));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            ChatTemplate.render(
                messages(
                    "[{\"role\":\"user\",\"content\":\"a\"},"
                        + "{\"role\":\"user\",\"content\":\"b\"}]")));
  }
}
