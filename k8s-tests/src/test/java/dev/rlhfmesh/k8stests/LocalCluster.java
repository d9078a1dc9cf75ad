package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Runs every workload of a rendered overlay as a local process of its packaged app ({@code
 * <svc>/target/quarkus-app/quarkus-run.jar}) with exactly the environment and args its manifest
 * gives the container. Only what cannot exist outside a cluster is rewritten, the same way for
 * every service:
 *
 * <ul>
 *   <li>a value naming one of the rendered Services (short, {@code .ns}, {@code .ns.svc...})
 *       becomes {@code 127.0.0.1};
 *   <li>a {@code host:port} list naming Services and their ports is rewritten both ways;
 *   <li>a {@code *_PORT} value equal to a container port becomes that port's local stand-in (each
 *       container port gets a free loopback port, so several runs can share the machine); the app's
 *       own grpc/http ports are passed as {@code -Dquarkus.grpc.server.port} / {@code
 *       -Dquarkus.http.port};
 *   <li>a value under a volume mount path moves to a local directory under target/launch (the DJL
 *       cache volume maps to the user's DJL cache so libtorch is not extracted again every run);
 *   <li>Secret values are test values, the same for every consumer of one Secret key.
 * </ul>
 */
final class LocalCluster implements AutoCloseable {
  /** One started service. */
  record App(
      String name,
      Process process,
      Path log,
      Map<String, Integer> localPorts,
      Map<String, String> env,
      String probeService) {
    int port(String name) {
      Integer p = localPorts.get(name);
      if (p == null) {
        throw new AssertionError(this.name + " has no container port named " + name);
      }
      return p;
    }
  }

  private final RenderedManifests manifests;
  private final Map<Integer, Integer> localPortOf = new LinkedHashMap<>();
  private final Map<String, App> apps = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  private LocalCluster(RenderedManifests manifests) {
    this.manifests = manifests;
  }

  static String secretValue(String secret, String key) {
    return "launch-test-" + secret + "-" + key;
  }

  /** Starts every workload at once (as a cluster would) and waits until each probe passes. */
  static LocalCluster start(RenderedManifests m, Duration readyTimeout) {
    LocalCluster cluster = new LocalCluster(m);
    try {
      cluster.startAll();
      cluster.awaitServing(readyTimeout);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  App app(String name) {
    App a = apps.get(name);
    if (a == null) {
      throw new AssertionError("no app " + name + " was launched");
    }
    return a;
  }

  Iterable<App> apps() {
    return apps.values();
  }

  /** A plaintext channel to the app's local stand-in for one of its named container ports. */
  ManagedChannel channel(String app, String portName) {
    return channels.computeIfAbsent(
        app + ":" + portName,
        k ->
            ManagedChannelBuilder.forAddress("127.0.0.1", app(app).port(portName))
                .usePlaintext()
                .build());
  }

  private void startAll() {
    for (RenderedManifests.Workload w : manifests.workloads()) {
      for (ContainerPort p : w.container().getPorts()) {
        localPortOf.put(p.getContainerPort(), freePort());
      }
    }
    Set<String> hostNames = new TreeSet<>();
    for (Service s : manifests.ofType(Service.class)) {
      String n = s.getMetadata().getName();
      String ns = s.getMetadata().getNamespace();
      hostNames.addAll(
          List.of(n, n + "." + ns, n + "." + ns + ".svc", n + "." + ns + ".svc.cluster.local"));
    }
    for (RenderedManifests.Workload w : manifests.workloads()) {
      apps.put(w.name(), launch(w, hostNames));
    }
  }

  private App launch(RenderedManifests.Workload w, Set<String> hostNames) {
    Path jar = RepoLayout.module(w.name()).resolve("target/quarkus-app/quarkus-run.jar");
    if (!Files.isRegularFile(jar)) {
      fail(
          jar
              + " is missing: the launch test starts the packaged apps. Build them first, e.g. `./mvnw -B"
              + " package -DskipTests -pl k8s-tests -am` (the reactor packages every service before"
              + " k8s-tests).");
    }
    Map<String, Integer> ports = new LinkedHashMap<>();
    w.container()
        .getPorts()
        .forEach(p -> ports.put(p.getName(), localPortOf.get(p.getContainerPort())));

    Map<String, Path> mounts = localMounts(w);
    Map<String, String> env = new LinkedHashMap<>();
    RenderedManifests.ValueResolver resolver =
        new RenderedManifests.ValueResolver() {
          @Override
          public String secret(String name, String key) {
            return secretValue(name, key);
          }

          @Override
          public String other(EnvVar e) {
            return e.getValueFrom().getFieldRef() != null ? w.name() + "-0" : null;
          }
        };
    manifests
        .environment(w.container(), resolver)
        .forEach((k, v) -> env.put(k, rewrite(k, v, hostNames, mounts)));

    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    // Harness-only: five JVMs start at once on a small CI machine and C1-only JIT starts them
    // faster. Not app configuration: the manifest's JDK_JAVA_OPTIONS still applies unchanged
    // (the java launcher reads it from the environment).
    command.add("-XX:TieredStopAtLevel=1");
    if (ports.containsKey("grpc")) {
      command.add("-Dquarkus.grpc.server.port=" + ports.get("grpc"));
    }
    if (ports.containsKey("http")) {
      command.add("-Dquarkus.http.port=" + ports.get("http"));
    }
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(Objects.requireNonNullElse(w.container().getArgs(), List.of()));
    if (w.container().getCommand() != null && !w.container().getCommand().isEmpty()) {
      fail(
          w.name()
              + ": the manifest overrides the image's entrypoint; the launch test cannot follow it");
    }

    Path log = RepoLayout.launchDir().resolve(w.name() + ".log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder pb =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      pb.directory(RepoLayout.launchDir().toFile());
      Map<String, String> processEnv = pb.environment();
      processEnv.clear();
      processEnv.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
      processEnv.put("HOME", System.getProperty("user.home"));
      processEnv.putAll(env);
      Files.writeString(
          RepoLayout.launchDir().resolve(w.name() + ".cmd"),
          String.join(" ", command) + "\n" + envDump(env));
      String probe = w.container().getReadinessProbe().getGrpc().getService();
      return new App(w.name(), pb.start(), log, ports, env, probe);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + w.name(), e);
    }
  }

  private String rewrite(
      String key, String value, Set<String> hostNames, Map<String, Path> mounts) {
    if (value == null) {
      return "";
    }
    if (hostNames.contains(value)) {
      return "127.0.0.1";
    }
    if (key.endsWith("_PORT")
        && value.matches("\\d+")
        && localPortOf.containsKey(Integer.parseInt(value))) {
      return String.valueOf(localPortOf.get(Integer.parseInt(value)));
    }
    if (value.matches("[\\w.-]+:\\d+(\\s*,\\s*[\\w.-]+:\\d+)*")) {
      // host:port lists (replica lists): both halves, when they name a Service and a container
      // port.
      List<String> items = new ArrayList<>();
      for (String item : value.split("\\s*,\\s*")) {
        String host = item.substring(0, item.lastIndexOf(':'));
        int port = Integer.parseInt(item.substring(item.lastIndexOf(':') + 1));
        boolean ours = hostNames.contains(host) && localPortOf.containsKey(port);
        items.add(ours ? "127.0.0.1:" + localPortOf.get(port) : item);
      }
      return String.join(",", items);
    }
    for (var mount : mounts.entrySet()) {
      if (value.equals(mount.getKey()) || value.startsWith(mount.getKey() + "/")) {
        return mount.getValue() + value.substring(mount.getKey().length());
      }
    }
    return value;
  }

  /** Mount path -> local directory standing in for its volume. */
  private Map<String, Path> localMounts(RenderedManifests.Workload w) {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    Objects.requireNonNullElse(w.template().getSpec().getVolumes(), List.<Volume>of())
        .forEach(v -> volumes.put(v.getName(), v));
    Map<String, Path> result = new LinkedHashMap<>();
    for (VolumeMount vm :
        Objects.requireNonNullElse(w.container().getVolumeMounts(), List.<VolumeMount>of())) {
      Path local =
          vm.getName().equals("djl-cache")
              ? Path.of(System.getProperty("user.home"), ".djl.ai")
              : RepoLayout.launchDir().resolve(w.name()).resolve(vm.getName());
      try {
        Files.createDirectories(local);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      result.put(vm.getMountPath(), local);
    }
    return result;
  }

  private void awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (App a : apps.values()) {
      HealthCheckRequest request =
          HealthCheckRequest.newBuilder().setService(a.probeService()).build();
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel(a.name(), "grpc"));
      while (true) {
        if (!a.process().isAlive()) {
          fail(
              a.name()
                  + " exited with "
                  + a.process().exitValue()
                  + " before serving:\n"
                  + tail(a.log()));
        }
        try {
          HealthCheckResponse r = health.withDeadlineAfter(2, TimeUnit.SECONDS).check(request);
          if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            break;
          }
        } catch (io.grpc.StatusRuntimeException notYet) {
          // still starting
        }
        if (System.nanoTime() > deadline) {
          fail(
              a.name()
                  + " not SERVING "
                  + a.probeService()
                  + " within "
                  + timeout
                  + ":\n"
                  + tail(a.log()));
        }
        sleep(200);
      }
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    apps.values().forEach(a -> a.process().destroy());
    for (App a : apps.values()) {
      try {
        if (!a.process().waitFor(20, TimeUnit.SECONDS)) {
          a.process().destroyForcibly();
        }
      } catch (InterruptedException e) {
        a.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String envDump(Map<String, String> env) {
    StringBuilder b = new StringBuilder();
    env.forEach(
        (k, v) ->
            b.append(k)
                .append('=')
                .append(v.startsWith("launch-test-") ? "<secret test value>" : v)
                .append('\n'));
    return b.toString();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
