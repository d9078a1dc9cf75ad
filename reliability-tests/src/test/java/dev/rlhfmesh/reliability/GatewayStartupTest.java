package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway with unusable model-svc address settings, or an in-process tokenizer path
 * that holds no tokenizer, does not start: the process exits during its start and its log names the
 * config key and the value. (With bad addresses it used to start SERVING and fail every model call
 * with an injection error naming an internal class.)
 */
class GatewayStartupTest {
  private static final String MODEL = "quarkus.grpc.clients.model.";

  /** Starts a gateway with one setting changed; returns its log after it exited. */
  private static String failedStart(String name, String key, String value) throws Exception {
    Mesh mesh = Mesh.get();
    Map<String, String> props = mesh.gatewayProps(Supervisor.freePort(), mesh.model);
    props.put(key, value);
    try {
      // Quarkus starts the gRPC server just before the start-up checks run, so health may say
      // SERVING for a few milliseconds before the failed check stops the process
      ServiceProcess p = mesh.start(name, "gateway", props);
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (p.isAlive() && System.nanoTime() < until) {
        Thread.sleep(50);
      }
      assertFalse(p.isAlive(), name + " kept running");
    } catch (IOException e) {
      assertTrue(e.getMessage().contains("exited before it was ready"), e.getMessage());
    }
    return Files.readString(mesh.logDir().resolve(name + ".log"), StandardCharsets.UTF_8);
  }

  @Test
  void unknownNameResolver_failsTheStartNamingKeyAndValue() throws Exception {
    String log = failedStart("gateway-bad-resolver", MODEL + "name-resolver", "default");
    assertTrue(
        log.contains("quarkus.grpc.clients.model.name-resolver = 'default'"),
        "log does not name the key and value:\n" + log);
  }

  @Test
  void unparseableHost_failsTheStartNamingKeyAndValue() throws Exception {
    String log = failedStart("gateway-bad-host", MODEL + "host", "model svc");
    assertTrue(
        log.contains("quarkus.grpc.clients.model.host = 'model svc'"),
        "log does not name the key and value:\n" + log);
  }

  @Test
  void tokenizerPathWithoutTokenizer_failsTheStartNamingKeyAndValue() throws Exception {
    Path empty = Files.createTempDirectory("no-tokenizer");
    String log =
        failedStart("gateway-bad-tokenizer-path", "rlhf.gateway.tokenizer-path", empty.toString());
    assertTrue(
        log.contains("rlhf.gateway.tokenizer-path = '" + empty + "': cannot load a tokenizer"),
        "log does not name the key and value:\n" + log);
  }
}
