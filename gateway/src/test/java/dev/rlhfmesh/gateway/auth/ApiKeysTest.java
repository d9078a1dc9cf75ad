package dev.rlhfmesh.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @Test
  void match_acceptsListedKeysOnly() {
    ApiKeys keys = new ApiKeys(List.of("alpha", "beta"));
    assertTrue(keys.match("alpha").isPresent());
    assertTrue(keys.match("beta").isPresent());
    assertTrue(keys.match("gamma").isEmpty());
    assertTrue(keys.match("").isEmpty());
    assertTrue(keys.match(null).isEmpty());
    assertNotEquals(keys.match("alpha"), keys.match("beta"));
  }

  @Test
  void load_readsSecretFileSkippingBlanksAndComments(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("keys");
    Files.writeString(f, "# team keys\nfile-key-1\n\n  file-key-2  \n");
    ApiKeys keys = ApiKeys.load(Optional.of(List.of("listed")), Optional.of(f.toString()));
    assertEquals(3, keys.size());
    assertTrue(keys.match("file-key-2").isPresent());
    assertTrue(keys.match("# team keys").isEmpty());
  }
}
