package dev.rlhfmesh.k8stests;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides whether an environment variable a manifest sets is configuration the app actually reads,
 * mapping env names to property names by the Quarkus rules ({@code QUARKUS_GRPC_CLIENTS_MODEL_HOST}
 * is {@code quarkus.grpc.clients.model.host}).
 */
final class ConfigKeys {
  /** Read by the JVM launcher or by DJL itself, not through the app's config; with the reason. */
  static final Map<String, String> ALLOW_LIST =
      new TreeMap<>(
          Map.of(
              "JDK_JAVA_OPTIONS", "read by the java launcher: JVM flags",
              "DJL_CACHE_DIR", "read by DJL: where native libraries are extracted",
              "ENGINE_CACHE_DIR", "read by DJL: where engine natives are looked up",
              "PYTORCH_FLAVOR", "read by DJL: which libtorch build to load (cpu, cu124)",
              "PYTORCH_VERSION", "read by DJL: which libtorch version to load"));

  enum Verdict {
    /** The app (or its JVM/DJL) reads it. */
    READ,
    /**
     * Under the app's own prefix, but the app declares no @ConfigMapping yet to check it against.
     */
    UNVERIFIED,
    /** Nothing reads it: a typo, or a key the app does not have. */
    NOT_READ
  }

  record Judgement(String env, Verdict verdict, String reason) {}

  private ConfigKeys() {}

  static Judgement judge(String env, ServiceSources app) {
    if (ALLOW_LIST.containsKey(env)) {
      return new Judgement(env, Verdict.READ, ALLOW_LIST.get(env));
    }
    if (app.referencedEnvironmentVariables().contains(env)) {
      return new Judgement(env, Verdict.READ, "application.properties reads ${" + env + "}");
    }
    for (String key : app.properties().keySet()) {
      if (ServiceSources.envForm(key).equals(env)) {
        return new Judgement(env, Verdict.READ, "overrides " + key + " of application.properties");
      }
    }
    if (env.startsWith("QUARKUS_GRPC_CLIENTS_")) {
      String rest = env.substring("QUARKUS_GRPC_CLIENTS_".length());
      for (String prop : grpcClientProperties()) {
        String suffix = "_" + ServiceSources.envForm(prop);
        if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
          String client =
              rest.substring(0, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
          return new Judgement(
              env, Verdict.READ, "quarkus.grpc.clients." + client + "." + prop + " (gRPC client)");
        }
      }
      return new Judgement(
          env, Verdict.NOT_READ, "no quarkus.grpc.clients.<name>.* property has this name");
    }
    if (env.startsWith("QUARKUS_")) {
      return new Judgement(env, Verdict.READ, "a Quarkus configuration key");
    }
    Set<String> prefixes = app.configMappingPrefixes();
    for (String prefix : prefixes) {
      String envPrefix = ServiceSources.envForm(prefix) + "_";
      if (env.startsWith(envPrefix)) {
        List<String> tokens = Arrays.asList(env.substring(envPrefix.length()).split("_"));
        return decomposes(tokens, 0, app.configSegments())
            ? new Judgement(
                env, Verdict.READ, "a property of @ConfigMapping(prefix=" + prefix + ")")
            : new Judgement(
                env,
                Verdict.NOT_READ,
                "under "
                    + prefix
                    + " but no property of its @ConfigMapping interfaces has this name (known"
                    + " segments: "
                    + app.configSegments().keySet()
                    + ")");
      }
    }
    String ownPrefix = "RLHF_" + shortName(app.name()).toUpperCase(Locale.ROOT) + "_";
    if (prefixes.isEmpty() && env.startsWith(ownPrefix)) {
      return new Judgement(
          env,
          Verdict.UNVERIFIED,
          app.name()
              + " declares no @ConfigMapping yet; checked once it declares rlhf."
              + shortName(app.name()));
    }
    return new Judgement(env, Verdict.NOT_READ, "nothing in " + app.name() + " reads it");
  }

  /** tokenizer-svc -> tokenizer, gateway -> gateway: the {@code rlhf.<short>} prefix convention. */
  static String shortName(String service) {
    return service.endsWith("-svc") ? service.substring(0, service.length() - 4) : service;
  }

  /**
   * Whether the env-name tail splits into declared property segments (a Map member takes a key).
   */
  private static boolean decomposes(List<String> tokens, int from, Map<String, Boolean> segments) {
    if (from == tokens.size()) {
      return true;
    }
    for (Map.Entry<String, Boolean> s : segments.entrySet()) {
      List<String> seg = Arrays.asList(s.getKey().toUpperCase(Locale.ROOT).split("-"));
      int end = from + seg.size();
      if (end <= tokens.size() && tokens.subList(from, end).equals(seg)) {
        int next = s.getValue() ? end + 1 : end;
        if (next <= tokens.size() && decomposes(tokens, next, segments)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Leaf property names of a Quarkus gRPC client ({@code host}, {@code load-balancing-policy}...).
   */
  static Set<String> grpcClientProperties() {
    try {
      Class<?> config = Class.forName("io.quarkus.grpc.runtime.config.GrpcClientConfiguration");
      return Arrays.stream(config.getMethods())
          .filter(m -> m.getParameterCount() == 0 && !m.isDefault())
          .filter(
              m ->
                  !m.getReturnType().isInterface()
                      || m.getReturnType().getName().startsWith("java."))
          .map(Method::getName)
          .map(ServiceSources::kebab)
          .collect(Collectors.toCollection(java.util.TreeSet::new));
    } catch (ClassNotFoundException e) {
      throw new AssertionError("quarkus-grpc is not on the test classpath", e);
    }
  }
}
