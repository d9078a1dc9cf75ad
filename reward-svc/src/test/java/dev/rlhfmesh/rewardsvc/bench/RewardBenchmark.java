package dev.rlhfmesh.rewardsvc.bench;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dynamic batching benchmark (a main, not a test): samples/s of the {@code learned} spec for 1, 8
 * and 32 concurrent callers sending one sample per call, against one caller sending batches of 32,
 * over real gRPC. Starts the packaged app ({@code reward-svc/target/quarkus-app/quarkus-run.jar})
 * on free ports with its default seeded reward model (GPT-2 small default: 128 wide, 4 layers,
 * vocab 512), unless {@code host:grpcPort:httpPort} of a running one is given.
 *
 * <pre>
 * ./mvnw -q -pl reward-svc exec:java -Dexec.mainClass=dev.rlhfmesh.rewardsvc.bench.RewardBenchmark \
 *     -Dexec.classpathScope=test [-Dexec.args="seconds [host:grpcPort:httpPort]"]
 * </pre>
 */
public final class RewardBenchmark {
  private static final int VOCAB = 512;
  private static final int PROMPT = 6; // "23+58="
  private static final int RESPONSE = 3; // "81<|endoftext|>"

  private RewardBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    Process app = null;
    String host = "localhost";
    int grpcPort;
    int httpPort;
    if (args.length > 1) {
      String[] t = args[1].split(":");
      host = t[0];
      grpcPort = Integer.parseInt(t[1]);
      httpPort = Integer.parseInt(t[2]);
    } else {
      grpcPort = freePort();
      httpPort = freePort();
      app = launch(grpcPort, httpPort);
    }
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress(host, grpcPort).usePlaintext().build();
    try {
      awaitServing(channel, app);
      System.out.printf(
          "reward-svc dynamic batching, spec 'learned', %d+%d tokens per sample, %d cores,"
              + " %.0f s per run%n",
          PROMPT, RESPONSE, Runtime.getRuntime().availableProcessors(), seconds);
      run(channel, host, httpPort, 8, 4, 2.0); // warm-up
      Result batched = run(channel, host, httpPort, 1, 32, seconds);
      report("1 caller x 32 samples/call", batched, batched);
      for (int callers : new int[] {1, 8, 32}) {
        report(
            callers + " callers x 1 sample/call",
            run(channel, host, httpPort, callers, 1, seconds),
            batched);
      }
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      if (app != null) {
        app.destroy();
        app.waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Samples per second and the mean forward-pass batch size (from the service's metric). */
  private record Result(double samplesPerSecond, double meanBatch) {}

  private static void report(String what, Result r, Result batched) {
    System.out.printf(
        "%-28s %8.0f samples/s  %.2f of batched  mean forward batch %.1f%n",
        what,
        r.samplesPerSecond(),
        r.samplesPerSecond() / batched.samplesPerSecond(),
        r.meanBatch());
  }

  /** Closed loop: each caller sends its next call when the last one returned. */
  private static Result run(
      ManagedChannel channel, String host, int httpPort, int callers, int perCall, double seconds)
      throws Exception {
    double[] before = batchStats(host, httpPort);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong samples = new AtomicLong();
    CountDownLatch started = new CountDownLatch(callers);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      ScoreRequest request = request(perCall, new Random(c));
      Thread t =
          new Thread(
              () -> {
                var stub = RewardServiceGrpc.newBlockingStub(channel);
                started.countDown();
                while (!stop.get()) {
                  stub.score(request);
                  samples.addAndGet(perCall);
                }
              });
      threads.add(t);
      t.start();
    }
    started.await();
    long t0 = System.nanoTime();
    long s0 = samples.get();
    Thread.sleep((long) (seconds * 1000));
    long s1 = samples.get();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    double[] after = batchStats(host, httpPort);
    double passes = after[0] - before[0];
    double meanBatch = passes > 0 ? (after[1] - before[1]) / passes : 0;
    return new Result((s1 - s0) / elapsed, meanBatch);
  }

  private static ScoreRequest request(int samples, Random r) {
    ScoreRequest.Builder b = ScoreRequest.newBuilder().setReward("learned");
    for (int i = 0; i < samples; i++) {
      b.addSamples(
          RewardSample.newBuilder().setPrompt(ids(r, PROMPT)).setResponse(ids(r, RESPONSE)));
    }
    return b.build();
  }

  private static TokenIds ids(Random r, int n) {
    TokenIds.Builder t = TokenIds.newBuilder();
    for (int i = 0; i < n; i++) {
      t.addIds(r.nextInt(VOCAB));
    }
    return t.build();
  }

  /** {count, sum} of rlhf_reward_batch_size{spec="learned"} from the Prometheus endpoint. */
  private static double[] batchStats(String host, int httpPort) throws Exception {
    String text =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + "/q/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    return new double[] {metric(text, "count"), metric(text, "sum")};
  }

  private static double metric(String text, String suffix) {
    Matcher m =
        Pattern.compile(
                "(?m)^rlhf_reward_batch_size_" + suffix + "\\{[^}]*spec=\"learned\"[^}]*\\} (\\S+)")
            .matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static Process launch(int grpcPort, int httpPort) throws IOException {
    Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
    if (!Files.exists(jar)) {
      jar = Path.of("reward-svc/target/quarkus-app/quarkus-run.jar");
    }
    if (!Files.exists(jar)) {
      throw new IllegalStateException("build first: ./mvnw -pl reward-svc -am package -DskipTests");
    }
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Dai.djl.offline=true",
            "-Dai.djl.default_engine=PyTorch",
            "-Dai.djl.pytorch.num_interop_threads=1",
            "-Dquarkus.grpc.server.port=" + grpcPort,
            "-Dquarkus.http.port=" + httpPort,
            "-Drlhf.reward.admin.token=",
            "-jar",
            jar.toString());
    File log = File.createTempFile("reward-svc-bench", ".log");
    System.out.println("starting " + jar + " (log " + log + ")");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void awaitServing(ManagedChannel channel, Process app) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (app != null && !app.isAlive()) {
        throw new IllegalStateException("reward-svc exited with " + app.exitValue());
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
      Thread.sleep(250);
    }
    throw new IllegalStateException("reward-svc did not become ready within 120 s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
