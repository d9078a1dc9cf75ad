package dev.rlhfmesh.model.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared calls tokenizer-svc and the gateway both make, on a hand-written word-level tokenizer
 * (ids chosen by hand, so the expected ids are known): chat prompts with bos/eos from
 * tokenizer_config.json, encode without added specials, decode skipping specials. (Loading of
 * trained byte-level tokenizers is tested in tokenizer-svc's LoadedTokenizerTest.)
 */
class LoadedTokenizerTest {
  @TempDir Path dir;

  /** Words 0-3, specials {@code <s>} = 4, {@code </s>} = 5, {@code <|user|>} = 6. */
  private static final String WORD_LEVEL =
      "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
          + special(4, "<s>")
          + ","
          + special(5, "</s>")
          + ","
          + special(6, "<|user|>")
          + "],\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},"
          + "\"post_processor\":null,\"decoder\":null,\"model\":{\"type\":\"WordLevel\","
          + "\"vocab\":{\"[UNK]\":0,\"hi\":1,\"there\":2,\"bot\":3},\"unk_token\":\"[UNK]\"}}";

  private static String special(int id, String content) {
    return "{\"id\":"
        + id
        + ",\"content\":\""
        + content
        + "\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
        + "\"special\":true}";
  }

  private LoadedTokenizer load() throws IOException {
    Files.writeString(dir.resolve(LoadedTokenizer.TOKENIZER_JSON), WORD_LEVEL);
    Files.writeString(
        dir.resolve(LoadedTokenizer.TOKENIZER_CONFIG_JSON),
        "{\"bos_token\": \"<s>\", \"eos_token\": {\"content\": \"</s>\"},"
            + " \"chat_template\": \"{bos}<|{role}|> {content} {eos} {generation}bot \"}");
    return LoadedTokenizer.load(dir, "test");
  }

  @Test
  void renderChat_fillsBosAndEosFromTokenizerConfig() throws IOException {
    try (LoadedTokenizer t = load()) {
      assertEquals(4, t.bosId());
      assertEquals(5, t.eosId());
      assertEquals(
          "<s><|user|> hi there </s> bot ",
          t.renderChat(List.of(new ChatTemplate.Message("user", "hi there")), true));
    }
  }

  @Test
  void chatPromptIds_encodeTheRenderedTextMatchingSpecialTokens() throws IOException {
    try (LoadedTokenizer t = load()) {
      List<ChatTemplate.Message> chat = List.of(new ChatTemplate.Message("user", "hi there"));
      assertArrayEquals(new int[] {4, 6, 1, 2, 5, 3}, t.chatPromptIds(chat, true));
      assertArrayEquals(t.encode(t.renderChat(chat, false), false), t.chatPromptIds(chat, false));
    }
  }

  @Test
  void decode_skipsSpecialTokensOnlyWhenAsked() throws IOException {
    try (LoadedTokenizer t = load()) {
      assertArrayEquals(new int[] {1, 0, 2}, t.encode("hi what there", false));
      assertEquals("hi there", t.decode(new int[] {4, 1, 2, 5}, true));
      assertEquals("<s> hi there </s>", t.decode(new int[] {4, 1, 2, 5}, false));
    }
  }

  @Test
  void encode_idsOnlyEqualTheIdsOfTheFullEncoding() throws IOException {
    try (LoadedTokenizer t = load()) {
      List<String> texts = List.of("hi there", "", "<s>hi</s> bot what", "  bot\tbot\n");
      List<LoadedTokenizer.Encoded> idsOnly = t.encode(texts, false, false);
      List<LoadedTokenizer.Encoded> full = t.encode(texts, false, true);
      for (int i = 0; i < texts.size(); i++) {
        assertArrayEquals(full.get(i).ids(), idsOnly.get(i).ids(), texts.get(i));
      }
      assertArrayEquals(new int[] {4, 1, 5, 3, 0}, idsOnly.get(2).ids());
    }
  }

  @Test
  void renderChat_namesTheBadRole() throws IOException {
    try (LoadedTokenizer t = load()) {
      InvalidMessageException e =
          assertThrows(
              InvalidMessageException.class,
              () -> t.chatPromptIds(List.of(new ChatTemplate.Message("robot", "hi")), true));
      assertEquals("messages[0].role", e.field());
    }
  }
}
