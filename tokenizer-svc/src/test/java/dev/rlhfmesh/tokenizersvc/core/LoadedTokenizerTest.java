package dev.rlhfmesh.tokenizersvc.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the chat template and special ids come from when a tokenizer directory is loaded. */
class LoadedTokenizerTest {
  @TempDir Path dir;

  private void writeTokenizer() throws IOException {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    for (int i = 0; i < 200; i++) {
      trainer.add("hello world " + i);
    }
    TokenizerJsonWriter.write(
        trainer.train(new ByteLevelBpeTrainer.Options(300, 2, List.of()), () -> false),
        dir,
        ChatTemplate.DEFAULT);
  }

  @Test
  void load_readsSimpleChatTemplateFromTokenizerConfig() throws IOException {
    writeTokenizer();
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"eos_token\": {\"content\": \"<|end|>\"}, \"chat_template\":"
            + " \"{role}: {content}\\n{generation}assistant: \"}");
    try (LoadedTokenizer t = LoadedTokenizer.load(dir, "x")) {
      assertEquals("{role}: {content}\n{generation}assistant: ", t.chatTemplate().source());
      assertEquals(260, t.eosId());
      assertEquals(-1, t.bosId());
      assertEquals(-1, t.padId());
    }
  }

  @Test
  void load_fallsBackToDefaultTemplateForJinja() throws IOException {
    writeTokenizer();
    Files.writeString(
        dir.resolve("tokenizer_config.json"),
        "{\"chat_template\": \"{% for m in messages %}{{ m.content }}{% endfor %}\"}");
    try (LoadedTokenizer t = LoadedTokenizer.load(dir, "x")) {
      assertEquals(ChatTemplate.DEFAULT, t.chatTemplate().source());
      assertTrue(t.templateNote().contains("Jinja"), t.templateNote());
      assertEquals(256, t.eosId());
    }
  }

  @Test
  void load_acceptsTheTokenizerJsonFileItself() throws IOException {
    writeTokenizer();
    try (LoadedTokenizer t = LoadedTokenizer.load(dir.resolve("tokenizer.json"), "x")) {
      assertEquals(256, t.bosId());
      assertEquals(ChatTemplate.DEFAULT, t.chatTemplate().source());
    }
  }

  @Test
  void load_failsClearlyWithoutTokenizerJson() {
    IOException e = assertThrows(IOException.class, () -> LoadedTokenizer.load(dir, "x"));
    assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
  }
}
