package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.LoadBalancerRegistry;
import io.grpc.NameResolverRegistry;
import io.quarkus.grpc.runtime.config.GrpcClientConfiguration;
import io.quarkus.grpc.runtime.config.GrpcConfiguration;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gRPC client env vars of each manifest, fed as environment to Quarkus' own gRPC config mapping
 * (the same SmallRye Config rules the apps use), resolve to the intended clients; the balancing
 * policy and name resolver they name exist in grpc-java. This covers what the launch test cannot
 * while the skeleton apps make no downstream calls.
 */
class GrpcClientEnvTest {
  static Stream<Arguments> rendered() {
    return Overlays.rendered();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void clientEnv_resolvesThroughQuarkusGrpcConfig(String name, RenderedManifests m) {
    for (RenderedManifests.Workload w : m.workloads()) {
      Map<String, String> env =
          m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN);
      Map<String, String> clientEnv = new java.util.TreeMap<>();
      env.forEach(
          (k, v) -> {
            if (k.startsWith("QUARKUS_GRPC_")) {
              clientEnv.put(k, v);
            }
          });
      SmallRyeConfig config =
          new SmallRyeConfigBuilder()
              .withSources(new EnvConfigSource(clientEnv, 300))
              .withMapping(GrpcConfiguration.class)
              .build();
      Map<String, GrpcClientConfiguration> clients =
          config.getConfigMapping(GrpcConfiguration.class).clients();
      for (String k : clientEnv.keySet()) {
        if (!k.endsWith("_HOST")) {
          continue;
        }
        String client =
            k.substring("QUARKUS_GRPC_CLIENTS_".length(), k.length() - "_HOST".length())
                .toLowerCase();
        GrpcClientConfiguration c = clients.get(client);
        assertNotNull(
            c,
            w.name()
                + ": env does not configure a client named '"
                + client
                + "'; got "
                + clients.keySet());
        assertEquals(env.get(k), c.host(), w.name() + " " + client + ".host");
        assertEquals(
            Integer.parseInt(env.get("QUARKUS_GRPC_CLIENTS_" + client.toUpperCase() + "_PORT")),
            c.port(),
            w.name() + " " + client + ".port");
        assertNotNull(
            LoadBalancerRegistry.getDefaultRegistry().getProvider(c.loadBalancingPolicy()),
            w.name() + " " + client + ": no grpc-java policy '" + c.loadBalancingPolicy() + "'");
        // Quarkus turns "dns" into the target dns:///host:port, served by grpc-java's DNS resolver.
        assertEquals("dns", c.nameResolver(), w.name() + " " + client + ".name-resolver");
        assertEquals(
            "dns", NameResolverRegistry.getDefaultRegistry().asFactory().getDefaultScheme());
      }
    }
  }
}
