package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs every workload of a rendered overlay as local processes of its packaged app ({@code
 * <svc>/target/quarkus-app/quarkus-run.jar}), one per pod (one pod per workload unless the caller
 * asks for more, e.g. an autoscaler's maximum), with exactly the environment and args its manifest
 * gives the container. Only what cannot exist outside a cluster is rewritten, the same way for
 * every service:
 *
 * <ul>
 *   <li>a value naming one of the rendered Services (short, {@code .ns}, {@code .ns.svc...})
 *       becomes {@code 127.0.0.1};
 *   <li>a {@code host:port} list naming Services and their ports is rewritten both ways; a headless
 *       Service stands for every pod behind it (its DNS A records), so its entry becomes one {@code
 *       127.0.0.1:port} per pod;
 *   <li>a {@code *_PORT} value equal to a container port becomes that port's local stand-in (each
 *       container port of each pod gets a free loopback port, so several runs can share the
 *       machine): the pod's own port for its own container ports, the first pod's for another
 *       workload's; the app's own grpc/http ports are passed as {@code -Dquarkus.grpc.server.port}
 *       / {@code -Dquarkus.http.port} ({@link LocalAddresses});
 *   <li>a value under a volume mount path moves to a local directory under target/launch: the pod's
 *       own, one per PersistentVolumeClaim shared by every pod that mounts it, the user's DJL cache
 *       for the DJL cache volume but the gateway's ({@link LocalVolumes}); all but that cache start
 *       empty;
 *   <li>Secret values are test values, the same for every consumer of one Secret key.
 * </ul>
 */
final class LocalCluster implements AutoCloseable {
  /**
   * One started pod: {@code name} is the workload's name when it runs one pod, else {@code
   * <workload>-<index>}.
   */
  record App(
      String name,
      String workload,
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
  private final Map<String, Integer> podCounts;
  private final Set<String> deferred;
  private final LocalAddresses addresses;
  private final Map<String, App> apps = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  private LocalCluster(
      RenderedManifests manifests, Map<String, Integer> podCounts, Set<String> deferred) {
    this.manifests = manifests;
    this.podCounts = podCounts;
    this.deferred = deferred;
    this.addresses = new LocalAddresses(manifests, this::podCount);
  }

  static String secretValue(String secret, String key) {
    return "launch-test-" + secret + "-" + key;
  }

  /** Starts every workload at once (as a cluster would) and waits until each probe passes. */
  static LocalCluster start(RenderedManifests m, Duration readyTimeout) {
    return start(m, readyTimeout, Map.of(), Set.of());
  }

  /**
   * The same, with {@code pods} pods of the named workloads (the others get one), and the {@code
   * deferred} workloads left for {@link #startDeferred} (e.g. one that needs data on a volume that
   * another service produces first). Every port is assigned up front, so the others' configuration
   * already points at the deferred ones.
   */
  static LocalCluster start(
      RenderedManifests m, Duration readyTimeout, Map<String, Integer> pods, Set<String> deferred) {
    LocalCluster cluster = new LocalCluster(m, pods, deferred);
    try {
      cluster.startAll();
      cluster.awaitServing(readyTimeout);
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts the deferred workloads and waits until each probe passes. */
  void startDeferred(Duration readyTimeout) {
    for (RenderedManifests.Workload w : manifests.workloads()) {
      if (deferred.contains(w.name())) {
        launchPods(w);
      }
    }
    awaitServing(readyTimeout);
  }

  /**
   * The local stand-in of a path inside a workload's containers, under one of its volume mounts
   * (what {@code kubectl cp} / {@code kubectl exec} in the pod would reach).
   */
  Path localPath(String workload, String containerPath) {
    RenderedManifests.Workload w = manifests.workload(workload);
    String firstPod = podCount(w) == 1 ? w.name() : w.name() + "-0";
    Path local = LocalVolumes.local(LocalVolumes.of(w, firstPod, false), containerPath);
    if (local == null) {
      throw new AssertionError(workload + ": " + containerPath + " is on none of its volumes");
    }
    return local;
  }

  /** A pod by its name, or the first pod of the workload of that name. */
  App app(String name) {
    App a = apps.get(name);
    if (a == null) {
      a = pods(name).get(0);
    }
    return a;
  }

  /** Every pod of a workload, in index order. */
  List<App> pods(String workload) {
    List<App> pods = apps.values().stream().filter(a -> a.workload().equals(workload)).toList();
    if (pods.isEmpty()) {
      throw new AssertionError("no app " + workload + " was launched");
    }
    return pods;
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

  private int podCount(RenderedManifests.Workload w) {
    return podCounts.getOrDefault(w.name(), 1);
  }

  private void startAll() {
    LocalVolumes.resetClaims();
    for (RenderedManifests.Workload w : manifests.workloads()) {
      if (!deferred.contains(w.name())) {
        launchPods(w);
      }
    }
  }

  private void launchPods(RenderedManifests.Workload w) {
    int n = podCount(w);
    for (int i = 0; i < n; i++) {
      App pod = launch(w, i, n == 1 ? w.name() : w.name() + "-" + i);
      apps.put(pod.name(), pod);
    }
  }

  private App launch(RenderedManifests.Workload w, int index, String podName) {
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
        .forEach(p -> ports.put(p.getName(), addresses.localPort(p.getContainerPort(), index)));

    Map<String, Path> mounts = LocalVolumes.of(w, podName, true);
    Map<String, String> env = new LinkedHashMap<>();
    RenderedManifests.ValueResolver resolver =
        new RenderedManifests.ValueResolver() {
          @Override
          public String secret(String name, String key) {
            return secretValue(name, key);
          }

          @Override
          public String other(EnvVar e) {
            return e.getValueFrom().getFieldRef() != null ? w.name() + "-" + index : null;
          }
        };
    manifests
        .environment(w.container(), resolver)
        .forEach(
            (k, v) -> {
              String value = addresses.rewrite(k, v == null ? "" : v, w.name(), index);
              Path local = LocalVolumes.local(mounts, value);
              env.put(k, local != null ? local.toString() : value);
            });

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

    Path log = RepoLayout.launchDir().resolve(podName + ".log");
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
          RepoLayout.launchDir().resolve(podName + ".cmd"),
          String.join(" ", command) + "\n" + envDump(env));
      String probe = w.container().getReadinessProbe().getGrpc().getService();
      return new App(podName, w.name(), pb.start(), log, ports, env, probe);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + podName, e);
    }
  }

  private void awaitServing(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (App a : List.copyOf(apps.values())) {
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

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
