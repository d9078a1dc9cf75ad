package dev.rlhfmesh.gateway.downstream;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged tokenizer-svc ({@code ../tokenizer-svc/target/quarkus-app}) run as a real process on
 * free ports, serving the tokenizer at a given path; ready when its gRPC health says SERVING. The
 * gateway's test-scoped dependency on tokenizer-svc makes reactor builds package it first.
 */
final class TokenizerSvcProcess implements AutoCloseable {
  private static final Path JAR = Path.of("../tokenizer-svc/target/quarkus-app/quarkus-run.jar");

  private final Process process;
  private final ManagedChannel channel;
  private final Path log;

  private TokenizerSvcProcess(Process process, ManagedChannel channel, Path log) {
    this.process = process;
    this.channel = channel;
    this.log = log;
  }

  static TokenizerSvcProcess start(Path tokenizerPath, Path log) throws Exception {
    Path jar = JAR.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "no packaged tokenizer-svc at "
              + jar
              + ": build it first (./mvnw -B -q -o package -DskipTests -pl tokenizer-svc -am), or"
              + " run the gateway's tests in a reactor build that includes tokenizer-svc");
    }
    int grpcPort = freePort();
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx256m",
            "-Dai.djl.offline=true",
            "-Dquarkus.grpc.server.port=" + grpcPort,
            "-Dquarkus.http.port=" + freePort(),
            "-Drlhf.tokenizer.path=" + tokenizerPath.toAbsolutePath(),
            "-jar",
            jar.toString());
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    ManagedChannel ch =
        ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
    TokenizerSvcProcess svc = new TokenizerSvcProcess(p, ch, log);
    try {
      svc.awaitServing(TimeUnit.SECONDS.toNanos(90));
    } catch (Exception | AssertionError e) {
      svc.close();
      throw e;
    }
    return svc;
  }

  ManagedChannel channel() {
    return channel;
  }

  private void awaitServing(long timeoutNanos) throws Exception {
    long end = System.nanoTime() + timeoutNanos;
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "tokenizer-svc exited with " + process.exitValue() + ":\n" + Files.readString(log));
      }
      try {
        HealthCheckResponse r =
            HealthGrpc.newBlockingStub(channel)
                .withDeadlineAfter(2, TimeUnit.SECONDS)
                .check(HealthCheckRequest.getDefaultInstance());
        if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
          return;
        }
      } catch (RuntimeException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("tokenizer-svc not SERVING in time:\n" + Files.readString(log));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
    }
  }
}
