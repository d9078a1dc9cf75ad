package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Bounded concurrent GenerateStream load on loopback against the tiny policy: below capacity there
 * are no errors (p50/p99 printed, RSS flat afterwards); above the narrow replica's admission queue
 * the surplus is refused with RESOURCE_EXHAUSTED and nothing else fails. Every loop stops by itself
 * (time and count bounds).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LoadTest {
  private static final int MAX_REQUESTS_PER_STREAM = 100_000;

  record Result(
      List<Long> latenciesNanos, Map<Status.Code, Integer> errors, long tokens, long wallNanos) {
    long percentileMs(double p) {
      List<Long> s = new ArrayList<>(latenciesNanos);
      Collections.sort(s);
      if (s.isEmpty()) {
        return -1;
      }
      return s.get((int) Math.min(s.size() - 1, Math.ceil(p * s.size()) - 1)) / 1_000_000;
    }
  }

  /** {@code streams} callers, each looping GenerateStream calls until {@code duration} passes. */
  static Result run(ServiceProcess target, int streams, Duration duration, int maxNewTokens)
      throws InterruptedException {
    ManagedChannel ch = target.channel();
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    Map<Status.Code, Integer> errors =
        Collections.synchronizedMap(new EnumMap<>(Status.Code.class));
    AtomicLong tokens = new AtomicLong();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      int caller = i;
      Thread t =
          new Thread(
              () -> {
                for (int n = 0; n < MAX_REQUESTS_PER_STREAM && System.nanoTime() < end; n++) {
                  GenerateStreamRequest req =
                      GenerateStreamRequest.newBuilder()
                          .setModel("policy")
                          .addPrompts(GrpcBadInputs.ids(1 + caller, 2 + n % 50, 3))
                          .setSampling(
                              SamplingParams.newBuilder()
                                  .setMaxNewTokens(maxNewTokens)
                                  .setTemperature(1f)
                                  .setIgnoreEos(true))
                          .build();
                  long t0 = System.nanoTime();
                  try {
                    var it =
                        ModelServiceGrpc.newBlockingStub(ch)
                            .withDeadlineAfter(30, TimeUnit.SECONDS)
                            .generateStream(req);
                    long got = 0;
                    while (it.hasNext()) {
                      got += it.next().getTokenIdsCount();
                    }
                    tokens.addAndGet(got);
                    latencies.add(System.nanoTime() - t0);
                  } catch (StatusRuntimeException e) {
                    errors.merge(e.getStatus().getCode(), 1, Integer::sum);
                    try {
                      Thread.sleep(5); // a refused client backs off a little before retrying
                    } catch (InterruptedException stop) {
                      return;
                    }
                  }
                }
              },
              "load-" + i);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(duration.toMillis() + 60_000);
    }
    return new Result(
        List.copyOf(latencies), Map.copyOf(errors), tokens.get(), System.nanoTime() - start);
  }

  @Test
  @Order(1)
  void belowCapacityNoErrorsAndRssFlat() throws Exception {
    Mesh mesh = Mesh.get();
    int streams = Scale.loadStreams();
    // Warm-up at the same concurrency and for as long as the load: JIT, KV slots, gRPC buffers and
    // the heap reach their working size, so the figures printed are a warm service's (after 5 s the
    // same load read 9-14k tok/s, after 15 s 26k, on a slow 2-core VM). Both RSS readings are
    // taken after a full GC once RSS has settled (Rss.afterGc: read at once, they fell before or
    // after G1 returned the shrunk heap, 452 or 311 MiB for the same state, and the check failed by
    // chance: +119 / +128 in CI; settled: -1 / +10 / +10 after 5 s, +7 / -7 / +3 after 15 s).
    run(mesh.model, streams, Scale.loadDuration(), 16);
    long rssBefore = Rss.afterGc(mesh.model);
    List<Long> samples = Collections.synchronizedList(new ArrayList<>());
    Thread sampler =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                samples.add(Rss.mib(mesh.model));
                try {
                  Thread.sleep(Scale.LONG ? 5000 : 1000);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "rss-sampler");
    sampler.start();
    Result r = run(mesh.model, streams, Scale.loadDuration(), 16);
    sampler.interrupt();
    sampler.join();
    long rssAfter = Rss.afterGc(mesh.model);
    System.out.println("[reliability] model-svc RSS during the load (MiB): " + samples);
    double secs = r.wallNanos() / 1e9;
    System.out.printf(
        "[reliability] load %d streams x %d s on model-svc GenerateStream (16 new tokens): %d calls, "
            + "%.1f calls/s, %.0f tok/s, p50 %d ms, p99 %d ms, errors %s, RSS %d -> %d MiB (%+d)%n",
        streams,
        Scale.loadDuration().toSeconds(),
        r.latenciesNanos().size(),
        r.latenciesNanos().size() / secs,
        r.tokens() / secs,
        r.percentileMs(0.50),
        r.percentileMs(0.99),
        r.errors(),
        rssBefore,
        rssAfter,
        rssAfter - rssBefore);
    assertEquals(Map.of(), r.errors(), "errors below capacity");
    assertTrue(r.latenciesNanos().size() >= streams, "too few calls completed");
    assertEquals(16L * r.latenciesNanos().size(), r.tokens(), "every call streams 16 tokens");
    assertTrue(
        rssAfter - rssBefore <= Scale.rssToleranceMib(),
        "RSS grew " + (rssAfter - rssBefore) + " MiB under load");
    assertTrue(mesh.model.isAlive());
  }

  @Test
  @Order(4)
  void gatewayAboveCapacityAnswers429() throws Exception {
    Mesh mesh = Mesh.get();
    int port = Supervisor.freePort();
    ServiceProcess edge = mesh.startGateway("gateway-narrow", port, mesh.narrowModel);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    byte[] body =
        "{\"model\":\"policy\",\"prompt\":\"~^|\",\"max_tokens\":32}"
            .getBytes(StandardCharsets.UTF_8);
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    Set<String> retryAfter = ConcurrentHashMap.newKeySet();
    AtomicLong withoutRetryAfter = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Scale.LONG ? 20 : 5);
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Thread t =
          new Thread(
              () -> {
                for (int n = 0; n < MAX_REQUESTS_PER_STREAM && System.nanoTime() < end; n++) {
                  try {
                    HttpResponse<String> res =
                        http.send(
                            HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + port + "/v1/completions"))
                                .timeout(Duration.ofSeconds(30))
                                .header("Authorization", "Bearer " + mesh.apiKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                            HttpResponse.BodyHandlers.ofString());
                    statuses.merge(res.statusCode(), 1, Integer::sum);
                    res.headers().firstValue("Retry-After").ifPresent(retryAfter::add);
                    if (res.statusCode() == 429
                        && res.headers().firstValue("Retry-After").isEmpty()) {
                      withoutRetryAfter.incrementAndGet();
                    }
                    if (res.statusCode() != 200 && res.statusCode() != 429) {
                      retryAfter.add("unexpected " + res.statusCode() + ": " + res.body());
                    }
                    if (res.statusCode() != 200) {
                      Thread.sleep(5);
                    }
                  } catch (Exception e) {
                    statuses.merge(-1, 1, Integer::sum);
                  }
                }
              },
              "http-load-" + i);
      callers.add(t);
      t.start();
    }
    for (Thread t : callers) {
      t.join(TimeUnit.SECONDS.toMillis(90));
    }
    edge.close();
    System.out.printf(
        "[reliability] gateway over the 2-slot/2-queue replica, 16 HTTP callers: statuses %s,"
            + " Retry-After values %s%n",
        statuses, retryAfter);
    assertTrue(statuses.getOrDefault(429, 0) > 0, "no 429: " + statuses);
    assertTrue(statuses.getOrDefault(200, 0) > 0, "nothing served: " + statuses);
    assertEquals(Set.of(200, 429), statuses.keySet(), "only 200 and 429 expected: " + statuses);
    assertEquals(0, withoutRetryAfter.get(), "429s without Retry-After (model-svc overload)");
  }

  @Test
  @Order(3)
  void idleReplicaServesARequestWithMoreSequencesThanItsQueue() {
    Mesh mesh = Mesh.get();
    // 2 prompts x n 2 = 4 sequences on the idle narrow replica: 2 fit its KV slots, 2 its queue.
    GenerateRequest req =
        GenerateRequest.newBuilder()
            .setModel("policy")
            .addPrompts(GrpcBadInputs.ids(1, 2))
            .addPrompts(GrpcBadInputs.ids(3, 4))
            .setSampling(SamplingParams.newBuilder().setMaxNewTokens(4).setN(2))
            .build();
    int got =
        ModelServiceGrpc.newBlockingStub(mesh.narrowModel.channel())
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .generate(req)
            .getCompletionsCount();
    assertEquals(4, got);
  }

  @Test
  @Order(2)
  void aboveCapacityIsRefusedWithResourceExhausted() throws Exception {
    Mesh mesh = Mesh.get();
    // The narrow replica: 2 KV slots + 2 queued. 16 callers of 32-token streams overrun it.
    Result r = run(mesh.narrowModel, 16, Duration.ofSeconds(Scale.LONG ? 20 : 5), 32);
    System.out.printf(
        "[reliability] overload 16 streams on a 2-slot/2-queue replica: %d ok (p50 %d ms, p99 %d ms), refused %s%n",
        r.latenciesNanos().size(), r.percentileMs(0.5), r.percentileMs(0.99), r.errors());
    assertTrue(
        r.errors().getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0) > 0,
        "nothing refused: " + r.errors());
    assertEquals(
        Map.of(Status.Code.RESOURCE_EXHAUSTED, r.errors().get(Status.Code.RESOURCE_EXHAUSTED)),
        r.errors(),
        "only RESOURCE_EXHAUSTED expected");
    assertTrue(r.latenciesNanos().size() > 0, "the admitted calls must still complete");
    assertTrue(mesh.narrowModel.isAlive());
  }
}
