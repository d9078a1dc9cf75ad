package dev.rlhfmesh.gateway.bench;

import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Latency the gateway adds over calling model-svc directly: the same unary generation (fixed
 * prompt, seed, temperature 0, max tokens) as model-svc Generate with pre-tokenized ids (the
 * baseline), then through each gateway given, over gRPC Complete and HTTP POST /v1/completions, at
 * each concurrency (clients each sending requests back to back). Prints mean/p50/p99 per call and
 * the added latency relative to the baseline; with {@code --cpu-pids}, also the CPU time each of
 * those processes spent per call (from /proc; much less sensitive to other load on the machine than
 * latency). {@code --stream true} adds model-svc GenerateStream and gateway gRPC CompleteStream
 * (the added latency of a stream is relative to the direct stream). With {@code --rounds N} every
 * path is measured N times in turn (A B C A B C ...) and the rounds pooled, so that a drift in
 * machine load spreads over all paths. Not a test.
 *
 * <pre>
 * GatewayLatencyBench --model-svc localhost:9002 --tokenizer localhost:9001 \
 *   --gateway-grpc localhost:9000 --gateway-http http://localhost:8080 --key KEY \
 *   [--gateway LABEL=host:grpcPort,http://host:httpPort ...] \
 *   [--cpu-pids name=pid,name=pid] [--rounds 1] [--warmup max(10, requests/10)] [--stream false] \
 *   [--model policy] [--requests 200] [--max-tokens 16] [--concurrency 1,16]
 *   [--only word,word]   (only the paths whose label contains a word, and their baselines)
 *   [--http-version 2|1.1]
 * </pre>
 */
public final class GatewayLatencyBench {
  private static final String PROMPT = "The quick brown fox jumps over the lazy dog.";

  private GatewayLatencyBench() {}

  /** One measured way of making the call; "added" is relative to the route named {@code base}. */
  private record Route(String label, String base, Runnable call) {}

  /** What one path accumulated at one concurrency. */
  private static final class Tally {
    final List<Double> latencies = new ArrayList<>();
    double seconds;
    final Map<String, Long> cpuTicks = new LinkedHashMap<>();
  }

  public static void main(String[] argv) throws Exception {
    dev.rlhfmesh.grpc.PlainJavaLogging.quietNetty(); // no HTTP/2 frame logging in this client
    Map<String, String> a = new HashMap<>();
    List<String> gateways = new ArrayList<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      String k = argv[i].replaceFirst("^--", "");
      if (k.equals("gateway")) {
        gateways.add(argv[i + 1]);
      } else {
        a.put(k, argv[i + 1]);
      }
    }
    if (a.containsKey("gateway-grpc")) {
      gateways.add(0, "gateway=" + a.get("gateway-grpc") + "," + a.get("gateway-http"));
    }
    String model = a.getOrDefault("model", "policy");
    int requests = Integer.parseInt(a.getOrDefault("requests", "200"));
    int maxTokens = Integer.parseInt(a.getOrDefault("max-tokens", "16"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "1"));
    int warmup =
        Integer.parseInt(a.getOrDefault("warmup", String.valueOf(Math.max(10, requests / 10))));
    boolean stream = Boolean.parseBoolean(a.getOrDefault("stream", "false"));
    int[] levels =
        Arrays.stream(a.getOrDefault("concurrency", "1,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    Map<String, Long> pids = new LinkedHashMap<>();
    if (a.containsKey("cpu-pids")) {
      for (String kv : a.get("cpu-pids").split(",")) {
        String[] p = kv.split("=", 2);
        pids.put(p[0], Long.parseLong(p[1]));
      }
    }
    String key = a.getOrDefault("key", "");
    List<ManagedChannel> channels = new ArrayList<>();
    ManagedChannel modelCh = channel(a.get("model-svc"), channels);
    ManagedChannel tokCh = channel(a.get("tokenizer"), channels);
    SamplingParams sampling =
        SamplingParams.newBuilder().setTemperature(0).setSeed(1).setMaxNewTokens(maxTokens).build();

    TokenIds ids =
        TokenizerServiceGrpc.newBlockingStub(tokCh)
            .encode(EncodeRequest.newBuilder().addTexts(PROMPT).build())
            .getSequences(0);
    GenerateRequest direct =
        GenerateRequest.newBuilder().setModel(model).addPrompts(ids).setSampling(sampling).build();
    var modelStub = ModelServiceGrpc.newBlockingStub(modelCh);
    CompleteRequest viaGrpc =
        CompleteRequest.newBuilder()
            .setModel(model)
            .setPrompt(PROMPT)
            .setSampling(sampling)
            .build();
    // HTTP/2 (h2c, upgraded on the first request: the JDK client's default) or HTTP/1.1 (what
    // the OpenAI Python and Node clients speak by default)
    HttpClient.Version version =
        a.getOrDefault("http-version", "2").equals("1.1")
            ? HttpClient.Version.HTTP_1_1
            : HttpClient.Version.HTTP_2;
    HttpClient client =
        HttpClient.newBuilder().version(version).connectTimeout(Duration.ofSeconds(5)).build();
    String body =
        "{\"model\":\""
            + model
            + "\",\"prompt\":\""
            + PROMPT
            + "\",\"max_tokens\":"
            + maxTokens
            + ",\"temperature\":0,\"seed\":1}";

    List<Route> paths = new ArrayList<>();
    paths.add(new Route("direct", "direct", () -> modelStub.generate(direct)));
    if (stream) {
      GenerateStreamRequest directStream =
          GenerateStreamRequest.newBuilder()
              .setModel(model)
              .addPrompts(ids)
              .setSampling(sampling)
              .build();
      paths.add(
          new Route(
              "direct stream",
              "direct stream",
              () -> modelStub.generateStream(directStream).forEachRemaining(m -> {})));
    }
    for (String g : gateways) {
      String[] labelRest = g.split("=", 2);
      String[] grpcHttp = labelRest[1].split(",", 2);
      var gwStub =
          GatewayServiceGrpc.newBlockingStub(channel(grpcHttp[0], channels))
              .withCallCredentials(new BearerTokenCredentials(key));
      HttpRequest viaHttp =
          HttpRequest.newBuilder(URI.create(grpcHttp[1] + "/v1/completions"))
              .header("Authorization", "Bearer " + key)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      paths.add(new Route(labelRest[0] + " grpc", "direct", () -> gwStub.complete(viaGrpc)));
      paths.add(new Route(labelRest[0] + " http", "direct", () -> http(client, viaHttp)));
      if (stream) {
        CompleteStreamRequest viaStream =
            CompleteStreamRequest.newBuilder()
                .setModel(model)
                .setPrompt(PROMPT)
                .setSampling(sampling)
                .build();
        paths.add(
            new Route(
                labelRest[0] + " stream",
                "direct stream",
                () -> gwStub.completeStream(viaStream).forEachRemaining(m -> {})));
      }
    }

    if (a.containsKey("only")) {
      // keep the routes whose label contains one of the given words, and their baselines
      List<String> words = List.of(a.get("only").split(","));
      List<Route> kept =
          paths.stream().filter(p -> words.stream().anyMatch(p.label()::contains)).toList();
      paths.removeIf(p -> kept.stream().noneMatch(k -> k == p || k.base().equals(p.label())));
    }

    System.out.printf(
        "gateway latency bench: model=%s max_tokens=%d requests/client/round=%d rounds=%d"
            + " warmup/client=%d prompt=%d tokens http=%s%n",
        model, maxTokens, requests, rounds, warmup, ids.getIdsCount(), version);
    StringBuilder head =
        new StringBuilder(
            String.format(
                "%-5s %-16s %9s %9s %9s %8s %8s",
                "conc", "path", "mean ms", "p50 ms", "p99 ms", "req/s", "added"));
    for (String name : pids.keySet()) {
      head.append(String.format(" %14s", "cpu " + name));
    }
    System.out.println(head + (pids.isEmpty() ? "" : "   (cpu: ms per call)"));
    for (int c : levels) {
      Map<String, Tally> tallies = new LinkedHashMap<>();
      for (Route p : paths) {
        run(p.call(), c, warmup);
        tallies.put(p.label(), new Tally());
      }
      for (int r = 0; r < rounds; r++) {
        for (Route p : paths) {
          Tally t = tallies.get(p.label());
          Map<String, Long> cpu0 = cpuTicks(pids);
          long start = System.nanoTime();
          for (double v : run(p.call(), c, requests)) {
            t.latencies.add(v);
          }
          t.seconds += (System.nanoTime() - start) / 1e9;
          Map<String, Long> cpu1 = cpuTicks(pids);
          cpu1.forEach((n, v) -> t.cpuTicks.merge(n, v - cpu0.get(n), Long::sum));
        }
      }
      Map<String, Double> means = new HashMap<>();
      for (Route p : paths) {
        Tally t = tallies.get(p.label());
        double[] lat = t.latencies.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = Arrays.stream(lat).average().orElse(0);
        means.put(p.label(), mean);
        double base = means.get(p.base());
        StringBuilder row =
            new StringBuilder(
                String.format(
                    "%-5d %-16s %9.2f %9.2f %9.2f %8.1f %7.1f%%",
                    c,
                    p.label(),
                    mean,
                    pct(lat, 50),
                    pct(lat, 99),
                    lat.length / t.seconds,
                    100 * (mean - base) / base));
        for (long ticks : t.cpuTicks.values()) {
          row.append(String.format(" %14.2f", ticks * 1000.0 / CLOCK_TICKS / lat.length));
        }
        System.out.println(row);
      }
    }
    channels.forEach(ManagedChannel::shutdownNow);
  }

  private static void http(HttpClient client, HttpRequest request) {
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
  }

  /** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in these. */
  private static final int CLOCK_TICKS = 100;

  /** utime + stime of each process, in clock ticks. */
  private static Map<String, Long> cpuTicks(Map<String, Long> pids) throws IOException {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<String, Long> e : pids.entrySet()) {
      String stat = Files.readString(Path.of("/proc", e.getValue().toString(), "stat"));
      // fields after the ")" that closes the command name: state is field 3, utime 14, stime 15
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      out.put(e.getKey(), Long.parseLong(f[11]) + Long.parseLong(f[12]));
    }
    return out;
  }

  /** {@code clients} threads, each calling {@code perClient} times; latencies in ms. */
  private static double[] run(Runnable call, int clients, int perClient) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<double[]>> parts = new ArrayList<>();
    for (int t = 0; t < clients; t++) {
      parts.add(
          pool.submit(
              () -> {
                double[] lat = new double[perClient];
                for (int i = 0; i < perClient; i++) {
                  long t0 = System.nanoTime();
                  call.run();
                  lat[i] = (System.nanoTime() - t0) / 1e6;
                }
                return lat;
              }));
    }
    List<Double> all = new ArrayList<>();
    for (Future<double[]> f : parts) {
      for (double v : f.get()) {
        all.add(v);
      }
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.MINUTES);
    return all.stream().mapToDouble(Double::doubleValue).toArray();
  }

  private static double pct(double[] v, int p) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
  }

  private static ManagedChannel channel(String hostPort, List<ManagedChannel> all) {
    if (hostPort == null) {
      throw new IllegalArgumentException("missing address; see the class Javadoc for arguments");
    }
    ManagedChannel ch = ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
    all.add(ch);
    return ch;
  }
}
