package dev.rlhfmesh.launcher.process;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service running as its own JVM: the packaged Quarkus fast-jar started with system properties,
 * its output in a log file, its readiness judged by gRPC health.
 */
public final class ServiceProcess implements AutoCloseable {
  private final String name;
  private final Path jar;
  private final int grpcPort;
  private final String healthService;
  private final Map<String, String> properties;
  private final Path logFile;
  private Process process;
  private ManagedChannel channel;

  public ServiceProcess(
      String name,
      Path jar,
      int grpcPort,
      String healthService,
      Map<String, String> properties,
      Path logDir) {
    this.name = name;
    this.jar = jar;
    this.grpcPort = grpcPort;
    this.healthService = healthService;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.logFile = logDir.resolve(name + ".log");
  }

  public String name() {
    return name;
  }

  public int grpcPort() {
    return grpcPort;
  }

  public Path logFile() {
    return logFile;
  }

  /** A channel to the service's gRPC port, shared by every caller of this process. */
  public synchronized ManagedChannel channel() {
    if (channel == null) {
      channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", grpcPort)
              .usePlaintext()
              .maxInboundMessageSize(64 << 20)
              .build();
    }
    return channel;
  }

  public void start() throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(
          name + ": " + jar + " is missing (build with ./mvnw install -DskipTests)");
    }
    Files.createDirectories(logFile.getParent());
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx3g");
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Dai.djl.default_engine=PyTorch");
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-jar");
    cmd.add(jar.toString());
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
  }

  /** Waits until gRPC health says SERVING, the process dies, or the timeout passes. */
  public void awaitServing(Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    HealthCheckRequest req = HealthCheckRequest.newBuilder().setService(healthService).build();
    while (System.nanoTime() < deadline) {
      if (process == null || !process.isAlive()) {
        throw new IOException(name + " exited before it was ready; last log lines:\n" + tail(30));
      }
      try {
        HealthCheckResponse r =
            HealthGrpc.newBlockingStub(channel()).withDeadlineAfter(2, TimeUnit.SECONDS).check(req);
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          return;
        }
      } catch (StatusRuntimeException notYet) {
        // still starting
      }
      Thread.sleep(200);
    }
    throw new IOException(
        name + " was not SERVING within " + timeout + "; last log lines:\n" + tail(30));
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Kills the process at once (used to simulate a crash). */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
    }
  }

  /** The last {@code n} lines of the service's log. */
  public String tail(int n) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log)";
      }
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Graceful stop (SIGTERM lets Quarkus finish in-flight calls), then a kill after 15 s. */
  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
    }
    if (process == null) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
