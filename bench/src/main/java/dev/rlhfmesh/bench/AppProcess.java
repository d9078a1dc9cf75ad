package dev.rlhfmesh.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A packaged Quarkus app ({@code <svc>/target/quarkus-app/quarkus-run.jar}) started on free
 * loopback ports, ready once gRPC health answers SERVING; stopped on close.
 */
final class AppProcess implements AutoCloseable {
  final int grpcPort;
  final ManagedChannel channel;
  private final Process process;

  private AppProcess(int grpcPort, ManagedChannel channel, Process process) {
    this.grpcPort = grpcPort;
    this.channel = channel;
    this.process = process;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static AppProcess start(Path jar, List<String> props, Path log, long readySeconds)
      throws IOException, InterruptedException {
    int grpc = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dai.djl.offline=true");
    cmd.add("-Dquarkus.grpc.server.port=" + grpc);
    cmd.add("-Dquarkus.grpc.server.host=127.0.0.1");
    cmd.add("-Dquarkus.http.port=" + freePort());
    cmd.add("-Dquarkus.http.host=127.0.0.1");
    props.forEach(p -> cmd.add("-D" + p));
    cmd.addAll(List.of("-jar", jar.toString()));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ManagedChannel ch =
        ManagedChannelBuilder.forAddress("127.0.0.1", grpc)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
    AppProcess app = new AppProcess(grpc, ch, p);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(readySeconds);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) {
        app.close();
        throw new IOException(jar + " exited " + p.exitValue() + " (log " + log + ")");
      }
      try {
        HealthCheckResponse r =
            HealthGrpc.newBlockingStub(ch)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          return app;
        }
      } catch (RuntimeException notYet) {
        // starting
      }
      Thread.sleep(200);
    }
    app.close();
    throw new IOException(jar + " not ready after " + readySeconds + " s (log " + log + ")");
  }

  @Override
  public void close() {
    channel.shutdownNow();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
