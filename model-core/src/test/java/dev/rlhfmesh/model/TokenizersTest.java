package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rlhfmesh.model.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizersTest {
  @TempDir Path dir;

  private static final String WORD_LEVEL =
      "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":[{\"id\":0,"
          + "\"content\":\"[UNK]\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,"
          + "\"normalized\":false,\"special\":true}],\"normalizer\":null,"
          + "\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,\"decoder\":null,"
          + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{\"[UNK]\":0,\"a\":1,\"b\":2},"
          + "\"unk_token\":\"[UNK]\"}}";

  @Test
  void longTexts_areNotTruncated() throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), WORD_LEVEL);
    try (HuggingFaceTokenizer tok = Tokenizers.load(dir)) {
      assertArrayEquals(new int[] {1, 2, 0}, Tokenizers.encode(tok, "a b c"));
      String text = "a b ".repeat(700);
      assertEquals(1400, Tokenizers.encode(tok, text).length);
    }
  }
}
