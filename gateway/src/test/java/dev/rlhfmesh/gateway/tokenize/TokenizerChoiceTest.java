package dev.rlhfmesh.gateway.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a bad {@code rlhf.gateway.tokenizer-path} says when the gateway starts. */
class TokenizerChoiceTest {
  @TempDir Path dir;

  private void assertProblem(Path path, String what) {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> TokenizerChoice.load(path, Runnable::run));
    String m = e.getMessage();
    assertTrue(m.startsWith("rlhf.gateway.tokenizer-path = '" + path.toAbsolutePath()), m);
    assertTrue(m.contains(what), m);
  }

  @Test
  void load_missingPath_namesTheKey() {
    assertProblem(dir.resolve("nope"), "no such file or directory");
  }

  @Test
  void load_directoryWithoutTokenizerJson_namesTheKey() {
    assertProblem(dir, "no tokenizer.json");
  }

  @Test
  void load_fileThatIsNotATokenizer_namesTheKey() throws Exception {
    Files.writeString(dir.resolve("tokenizer.json"), "[1, 2");
    assertProblem(dir, "cannot load a tokenizer there");
    Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"Nonsense\"}}");
    assertProblem(dir, "cannot load a tokenizer there");
  }

  @Test
  void load_directoryOrFile_tokenizes() throws Exception {
    Path file = ByteLevelTokenizerFiles.write(dir, List.of(), null);
    for (Path p : List.of(dir, file)) {
      try (LocalTokenizer t = TokenizerChoice.load(p, Runnable::run)) {
        assertArrayEquals(
            new int[] {'h', 'i'}, t.encode("hi", Duration.ofSeconds(1)).await().indefinitely());
      }
    }
  }
}
