package dev.rlhfmesh.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.gateway.fakes.FakeModel;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The official {@code openai} npm client (installed into target/openai-node by the build), used
 * unmodified except for base URL and key, against the running gateway. Fails — never skips — when
 * node or the client is missing.
 */
@QuarkusTest
class OpenAiClientTest {
  static final Path DIR = Path.of("target", "openai-node");

  @TestHTTPResource("/v1")
  URL base;

  @Test
  void officialOpenAiNodeClient_worksUnmodified() throws IOException, InterruptedException {
    assertTrue(
        Files.isRegularFile(DIR.resolve("node_modules/openai/package.json")),
        "the build installs the openai client into " + DIR.toAbsolutePath());
    ProcessBuilder pb =
        new ProcessBuilder("node", "openai-check.cjs")
            .directory(DIR.toFile())
            .redirectErrorStream(true);
    pb.environment().put("BASE_URL", base.toString());
    pb.environment().put("API_KEY", TestDownstream.KEY);
    pb.environment().put("MODEL", TestDownstream.model());
    if (TestDownstream.fakes()) {
      pb.environment().put("EXPECT_REPLY", FakeModel.REPLY);
    }
    Process p = pb.start();
    boolean done = p.waitFor(90, TimeUnit.SECONDS);
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    System.out.println(out);
    if (!done) {
      p.destroyForcibly();
    }
    assertTrue(done, "node finished in time:\n" + out);
    assertEquals(0, p.exitValue(), out);
  }
}
