package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rlhfmesh.k8stests.ConfigKeys.Verdict;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every environment variable a manifest sets is configuration its app actually reads. */
class EnvConfigKeysTest {
  static Stream<Arguments> rendered() {
    return Overlays.rendered();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void everyEnvVar_isAConfigKeyTheAppReads(String name, RenderedManifests m) {
    List<String> notRead = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      ServiceSources app = new ServiceSources(w.name());
      for (String env :
          m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN).keySet()) {
        ConfigKeys.Judgement j = ConfigKeys.judge(env, app);
        switch (j.verdict()) {
          case NOT_READ -> notRead.add(w.name() + ": " + env + " (" + j.reason() + ")");
          case UNVERIFIED ->
              System.out.println(
                  "[" + name + "] UNVERIFIED " + w.name() + ": " + env + " - " + j.reason());
          case READ -> {}
        }
      }
    }
    assertEquals(List.of(), notRead, name + ": env vars nothing reads");
  }

  // --- the checker itself, on a made-up module, so that it is known to reject what it should ---

  @Test
  void judge_acceptsGrpcClientKeysAndRejectsMisspelledOnes(@TempDir Path dir) throws IOException {
    ServiceSources app = fakeModule(dir, null);
    assertEquals(
        Verdict.READ,
        ConfigKeys.judge("QUARKUS_GRPC_CLIENTS_MODEL_LOAD_BALANCING_POLICY", app).verdict());
    assertEquals(
        Verdict.READ, ConfigKeys.judge("QUARKUS_GRPC_CLIENTS_MODEL_NAME_RESOLVER", app).verdict());
    assertEquals(Verdict.READ, ConfigKeys.judge("QUARKUS_GRPC_CLIENTS_REWARD_HOST", app).verdict());
    assertEquals(
        Verdict.NOT_READ,
        ConfigKeys.judge("QUARKUS_GRPC_CLIENTS_MODEL_LOAD_BALANCING_POLCY", app).verdict());
    assertEquals(Verdict.NOT_READ, ConfigKeys.judge("QUARKUS_GRPC_CLIENTS_HOST", app).verdict());
  }

  @Test
  void judge_acceptsPropertiesFileKeysExpressionsAndTheAllowList(@TempDir Path dir)
      throws IOException {
    ServiceSources app = fakeModule(dir, null);
    assertEquals(Verdict.READ, ConfigKeys.judge("QUARKUS_HTTP_PORT", app).verdict());
    assertEquals(Verdict.READ, ConfigKeys.judge("RLHF_LOG_JSON", app).verdict());
    assertEquals(Verdict.READ, ConfigKeys.judge("DJL_CACHE_DIR", app).verdict());
    assertEquals(Verdict.NOT_READ, ConfigKeys.judge("LOG_JSON", app).verdict());
    assertEquals(Verdict.NOT_READ, ConfigKeys.judge("RLHF_GATEWAY_API_KEYS", app).verdict());
  }

  @Test
  void judge_checksOwnPrefixKeysAgainstTheConfigMapping(@TempDir Path dir) throws IOException {
    ServiceSources app =
        fakeModule(
            dir,
            """
            package x.config;
            import io.smallrye.config.ConfigMapping;
            import java.util.Map;
            @ConfigMapping(prefix = "rlhf.model")
            public interface ModelConfig {
              Admin admin();
              Map<String, Served> models();
              int maxBatch();
              interface Admin { int port(); String token(); }
              interface Served { String dir(); }
            }
            """);
    assertEquals(Verdict.READ, ConfigKeys.judge("RLHF_MODEL_ADMIN_PORT", app).verdict());
    assertEquals(Verdict.READ, ConfigKeys.judge("RLHF_MODEL_MAX_BATCH", app).verdict());
    assertEquals(Verdict.READ, ConfigKeys.judge("RLHF_MODEL_MODELS_POLICY_DIR", app).verdict());
    assertEquals(Verdict.NOT_READ, ConfigKeys.judge("RLHF_MODEL_ADMIN_PROT", app).verdict());
    assertEquals(Verdict.NOT_READ, ConfigKeys.judge("RLHF_MODEL_QUEUE", app).verdict());
  }

  @Test
  void judge_marksOwnPrefixKeysUnverifiedWhileTheAppHasNoConfigMapping(@TempDir Path dir)
      throws IOException {
    ServiceSources app = fakeModule(dir, null);
    assertEquals(Verdict.UNVERIFIED, ConfigKeys.judge("RLHF_MODEL_ADMIN_PORT", app).verdict());
  }

  private static ServiceSources fakeModule(Path dir, String configSource) throws IOException {
    Path res = Files.createDirectories(dir.resolve("src/main/resources"));
    Files.writeString(
        res.resolve("application.properties"),
        "quarkus.http.port=8082\n"
            + "quarkus.log.console.json.enabled=${RLHF_LOG_JSON:false}\n"
            + "%test.quarkus.grpc.server.test-port=0\n");
    Path pkg = Files.createDirectories(dir.resolve("src/main/java/x/config"));
    if (configSource != null) {
      Files.writeString(pkg.resolve("ModelConfig.java"), configSource);
    }
    return new ServiceSources("model-svc", dir);
  }
}
