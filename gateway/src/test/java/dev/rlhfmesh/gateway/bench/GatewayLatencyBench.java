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
import io.grpc.stub.StreamObserver;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import java.util.stream.IntStream;

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
 * machine load spreads over all paths; each round's added latency against the base's round beside
 * it is printed too (median and range). The client's own CPU per call is printed too ("cpu
 * client"). {@code --client async} (the default) makes every client a chain of asynchronous calls
 * (grpc-java's async stubs on channels that run callbacks on their event loop, Vert.x's HTTP
 * client); {@code --client threads} blocks one thread per client (blocking stubs, the JDK's
 * HttpClient), as every run before the eighth session did; {@code --client async,threads} measures
 * every path with both, in the same rounds. {@code --max-tokens-spread S} asks each call for
 * max-tokens ± S tokens (the same sequence on every path), so that the clients do not all finish in
 * the same model-svc step. Every path is warmed at the highest concurrency first ({@code --warmup}
 * calls per client, in turns between the paths like the rounds), then with a tenth as many calls
 * again at each level; after each level's rows, the seconds each process's JIT spent compiling
 * during its measured rounds. {@code --http-client lean} measures the HTTP/1.1 paths with {@link
 * LeanHttp1Client} (label "lean"), a wrk-like client with one thread and less work per call than
 * Vert.x's (at one client 0.20-0.63 vs 0.33-0.98 ms of client CPU per call, at 16 about the same):
 * where the client shares the gateway's CPU, less of its work is counted as the gateway's; {@code
 * vertx,lean} measures both in the same rounds. Not a test.
 *
 * <pre>
 * GatewayLatencyBench --model-svc localhost:9002 --tokenizer localhost:9001 \
 *   --gateway-grpc localhost:9000 --gateway-http http://localhost:8080 --key KEY \
 *   [--gateway LABEL=host:grpcPort,http://host:httpPort ...] \
 *   [--cpu-pids name=pid,name=pid] [--rounds 1] [--warmup max(10, requests/10)] [--stream false] \
 *   [--model policy] [--requests 200] [--max-tokens 16] [--max-tokens-spread 0] [--concurrency 1,16]
 *   [--only word,word]   (only the paths whose label contains a word, and their baselines)
 *   [--http-version 1.1|2|1.1,2] [--client async|threads|async,threads]
 *   [--http-client vertx|lean|vertx,lean]   (lean: HTTP/1.1 paths only)
 * </pre>
 */
public final class GatewayLatencyBench {
  private static final String PROMPT = "The quick brown fox jumps over the lazy dog.";

  private GatewayLatencyBench() {}

  /**
   * One measured way of making the call, blocking and asynchronous (a measured route keeps the form
   * of its kind of client); "added" is relative to the route named {@code base}.
   */
  private record Route(String label, String base, IntConsumer call, ClosedLoop.AsyncCall async) {}

  /** What one path accumulated at one concurrency. */
  private static final class Tally {
    final List<Double> latencies = new ArrayList<>();
    final List<Double> roundMeans = new ArrayList<>();
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
    List<String> clientKinds = List.of(a.getOrDefault("client", "async").split(","));
    for (String kind : clientKinds) {
      if (!kind.equals("async") && !kind.equals("threads")) {
        throw new IllegalArgumentException("--client: async or threads, not " + kind);
      }
    }
    // HTTP/1.1 (the default since the ninth session: what the OpenAI clients speak to a plaintext
    // endpoint, and what an ingress speaks to its backends unless told otherwise) and/or HTTP/2
    // (h2c, which only clients told to use it speak); with both, each is a path of its own
    List<String> httpVersions = List.of(a.getOrDefault("http-version", "1.1").split(","));
    for (String v : httpVersions) {
      if (!v.equals("2") && !v.equals("1.1")) {
        throw new IllegalArgumentException("--http-version: 2 or 1.1, not " + v);
      }
    }
    // vertx: Vert.x's client (async) or the JDK's (threads); lean: LeanHttp1Client, a wrk-like
    // client with one thread and less work per call (HTTP/1.1 paths only)
    List<String> httpClients = List.of(a.getOrDefault("http-client", "vertx").split(","));
    for (String c : httpClients) {
      if (!c.equals("vertx") && !c.equals("lean")) {
        throw new IllegalArgumentException("--http-client: vertx or lean, not " + c);
      }
    }
    if (httpClients.equals(List.of("lean")) && !httpVersions.contains("1.1")) {
      throw new IllegalArgumentException(
          "--http-client lean speaks HTTP/1.1 only: add 1.1 to --http-version");
    }
    Map<String, Long> pids = new LinkedHashMap<>();
    pids.put("client", ProcessHandle.current().pid());
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
    // with a spread, each call asks for maxTokens ± spread tokens, picked by the call's index, so
    // every route sends the same sequence of lengths; clients then drift apart instead of all
    // finishing in the same model step
    int spread = Integer.parseInt(a.getOrDefault("max-tokens-spread", "0"));
    if (spread < 0 || spread >= maxTokens) {
      throw new IllegalArgumentException(
          "--max-tokens-spread must be in [0, max-tokens), not " + spread);
    }
    int lengths = 2 * spread + 1;
    IntUnaryOperator pick =
        i -> Math.floorMod(Long.hashCode(i * 0x9E3779B97F4A7C15L), lengths); // index → length
    List<SamplingParams> sampling =
        variants(
            lengths,
            k ->
                SamplingParams.newBuilder()
                    .setTemperature(0)
                    .setSeed(1)
                    .setMaxNewTokens(maxTokens - spread + k)
                    .build());

    TokenIds ids =
        TokenizerServiceGrpc.newBlockingStub(tokCh)
            .encode(EncodeRequest.newBuilder().addTexts(PROMPT).build())
            .getSequences(0);
    List<GenerateRequest> direct =
        variants(
            lengths,
            k ->
                GenerateRequest.newBuilder()
                    .setModel(model)
                    .addPrompts(ids)
                    .setSampling(sampling.get(k))
                    .build());
    var modelStub = ModelServiceGrpc.newBlockingStub(modelCh);
    var modelAsync = ModelServiceGrpc.newStub(modelCh);
    List<CompleteRequest> viaGrpc =
        variants(
            lengths,
            k ->
                CompleteRequest.newBuilder()
                    .setModel(model)
                    .setPrompt(PROMPT)
                    .setSampling(sampling.get(k))
                    .build());
    int maxClients = Arrays.stream(levels).max().orElse(1);
    Vertx vertx = Vertx.vertx();
    Map<String, HttpClient> jdkClients = new LinkedHashMap<>();
    Map<String, io.vertx.core.http.HttpClient> vertxClients = new LinkedHashMap<>();
    for (String v : httpVersions) {
      boolean http11 = v.equals("1.1");
      jdkClients.put(
          v,
          HttpClient.newBuilder()
              .version(http11 ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
              .connectTimeout(Duration.ofSeconds(5))
              .build());
      vertxClients.put(
          v,
          vertx.createHttpClient(
              new HttpClientOptions()
                  .setProtocolVersion(
                      http11
                          ? io.vertx.core.http.HttpVersion.HTTP_1_1
                          : io.vertx.core.http.HttpVersion.HTTP_2)
                  .setMaxPoolSize(maxClients) // HTTP/1.1: a connection per client
                  .setHttp2MaxPoolSize(1)
                  .setConnectTimeout(5_000)));
    }
    List<String> bodies =
        variants(
            lengths,
            k ->
                "{\"model\":\""
                    + model
                    + "\",\"prompt\":\""
                    + PROMPT
                    + "\",\"max_tokens\":"
                    + (maxTokens - spread + k)
                    + ",\"temperature\":0,\"seed\":1}");
    List<Buffer> bodyBuffers = variants(lengths, k -> Buffer.buffer(bodies.get(k)));

    List<Route> paths = new ArrayList<>();
    List<LeanHttp1Client> leanClients = new ArrayList<>(); // closed at the end
    paths.add(
        new Route(
            "direct",
            "direct",
            i -> modelStub.generate(direct.get(pick.applyAsInt(i))),
            (i, done) -> modelAsync.generate(direct.get(pick.applyAsInt(i)), observer(done))));
    if (stream) {
      List<GenerateStreamRequest> directStream =
          variants(
              lengths,
              k ->
                  GenerateStreamRequest.newBuilder()
                      .setModel(model)
                      .addPrompts(ids)
                      .setSampling(sampling.get(k))
                      .build());
      paths.add(
          new Route(
              "direct stream",
              "direct stream",
              i ->
                  modelStub
                      .generateStream(directStream.get(pick.applyAsInt(i)))
                      .forEachRemaining(m -> {}),
              (i, done) ->
                  modelAsync.generateStream(directStream.get(pick.applyAsInt(i)), observer(done))));
    }
    for (String g : gateways) {
      String[] labelRest = g.split("=", 2);
      String[] grpcHttp = labelRest[1].split(",", 2);
      ManagedChannel gwChannel = channel(grpcHttp[0], channels);
      BearerTokenCredentials credentials = new BearerTokenCredentials(key);
      var gwStub = GatewayServiceGrpc.newBlockingStub(gwChannel).withCallCredentials(credentials);
      var gwAsync = GatewayServiceGrpc.newStub(gwChannel).withCallCredentials(credentials);
      List<HttpRequest> viaHttp =
          variants(
              lengths,
              k ->
                  HttpRequest.newBuilder(URI.create(grpcHttp[1] + "/v1/completions"))
                      .header("Authorization", "Bearer " + key)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString(bodies.get(k)))
                      .build());
      RequestOptions asyncHttp =
          new RequestOptions()
              .setMethod(HttpMethod.POST)
              .setAbsoluteURI(grpcHttp[1] + "/v1/completions")
              .putHeader("Authorization", "Bearer " + key)
              .putHeader("Content-Type", "application/json");
      paths.add(
          new Route(
              labelRest[0] + " grpc",
              "direct",
              i -> gwStub.complete(viaGrpc.get(pick.applyAsInt(i))),
              (i, done) -> gwAsync.complete(viaGrpc.get(pick.applyAsInt(i)), observer(done))));
      for (String v : httpVersions) {
        String label = labelRest[0] + " http" + (httpVersions.size() > 1 ? v : "");
        if (httpClients.contains("vertx")) {
          HttpClient jdk = jdkClients.get(v);
          io.vertx.core.http.HttpClient vx = vertxClients.get(v);
          paths.add(
              new Route(
                  label,
                  "direct",
                  i -> http(jdk, viaHttp.get(pick.applyAsInt(i))),
                  (i, done) -> http(vx, asyncHttp, bodyBuffers.get(pick.applyAsInt(i)), done)));
        }
        if (httpClients.contains("lean") && v.equals("1.1")) {
          URI uri = URI.create(grpcHttp[1]);
          int port = uri.getPort() < 0 ? 80 : uri.getPort();
          LeanHttp1Client lean =
              new LeanHttp1Client(new InetSocketAddress(uri.getHost(), port), maxClients);
          leanClients.add(lean);
          List<byte[]> leanRequests =
              variants(
                  lengths,
                  k ->
                      LeanHttp1Client.post(
                          uri.getHost() + ":" + port,
                          "/v1/completions",
                          List.of("Authorization: Bearer " + key, "Content-Type: application/json"),
                          bodies.get(k)));
          ClosedLoop.AsyncCall call =
              (i, done) -> lean.send(leanRequests.get(pick.applyAsInt(i)), done);
          paths.add(new Route(label + " lean", "direct", i -> blocking(call, i), call));
        }
      }
      if (stream) {
        List<CompleteStreamRequest> viaStream =
            variants(
                lengths,
                k ->
                    CompleteStreamRequest.newBuilder()
                        .setModel(model)
                        .setPrompt(PROMPT)
                        .setSampling(sampling.get(k))
                        .build());
        paths.add(
            new Route(
                labelRest[0] + " stream",
                "direct stream",
                i ->
                    gwStub
                        .completeStream(viaStream.get(pick.applyAsInt(i)))
                        .forEachRemaining(m -> {}),
                (i, done) ->
                    gwAsync.completeStream(viaStream.get(pick.applyAsInt(i)), observer(done))));
      }
    }

    if (a.containsKey("only")) {
      // keep the routes whose label contains one of the given words, and their baselines
      List<String> words = List.of(a.get("only").split(","));
      List<Route> kept =
          paths.stream().filter(p -> words.stream().anyMatch(p.label()::contains)).toList();
      paths.removeIf(p -> kept.stream().noneMatch(k -> k == p || k.base().equals(p.label())));
    }
    // every path once per kind of client (both kinds: labelled, and measured in the same rounds)
    List<Route> measured = new ArrayList<>();
    for (String kind : clientKinds) {
      String suffix = clientKinds.size() > 1 ? " (" + kind + ")" : "";
      boolean async = kind.equals("async");
      for (Route p : paths) {
        measured.add(
            new Route(
                p.label() + suffix,
                p.base() + suffix,
                async ? null : p.call(),
                async ? p.async() : null));
      }
    }

    System.out.printf(
        "gateway latency bench: model=%s max_tokens=%d±%d requests/client/round=%d rounds=%d"
            + " warmup/client=%d prompt=%d tokens http=%s http-client=%s client=%s%n",
        model,
        maxTokens,
        spread,
        requests,
        rounds,
        warmup,
        ids.getIdsCount(),
        String.join(",", httpVersions),
        String.join(",", httpClients),
        String.join(",", clientKinds));
    StringBuilder head =
        new StringBuilder(
            String.format(
                "%-5s %-26s %9s %9s %9s %8s %8s %24s",
                "conc",
                "path",
                "mean ms",
                "p50 ms",
                "p99 ms",
                "req/s",
                "added",
                "by round: median [range]"));
    for (String name : pids.keySet()) {
      head.append(String.format(" %14s", "cpu " + name));
    }
    System.out.println(head + (pids.isEmpty() ? "" : "   (cpu: ms per call)"));
    // Warm every path at the highest concurrency first: the gateway's JIT needs thousands of calls,
    // and a first level of one client would otherwise be measured half-compiled (the seventh
    // session's one-client rows: 2.8-5.1 ms of gateway CPU per call; warmed first, 1.0-3.2). The
    // warm-up takes turns between the paths, as the measured rounds do: warmed one path after the
    // other, the gateway's JIT was still recompiling code the paths share when the rounds began
    // (7 s of compiling in an ~80 s run, ninth session), taking CPU from whichever path was
    // measured.
    int warmupTurns = Math.max(3, rounds);
    for (int turn = 0; turn < warmupTurns; turn++) {
      for (Route p : measured) {
        run(p, maxClients, Math.max(1, warmup / warmupTurns));
      }
    }
    for (int c : levels) {
      Map<String, Tally> tallies = new LinkedHashMap<>();
      for (Route p : measured) {
        run(p, c, Math.max(1, warmup * maxClients / c / 10)); // a tenth as many calls again
        tallies.put(p.label(), new Tally());
      }
      Map<String, Double> jit0 = jitSeconds(pids);
      for (int r = 0; r < rounds; r++) {
        for (Route p : measured) {
          Tally t = tallies.get(p.label());
          Map<String, Long> cpu0 = cpuTicks(pids);
          long start = System.nanoTime();
          double[] lat = run(p, c, requests);
          for (double v : lat) {
            t.latencies.add(v);
          }
          t.roundMeans.add(Arrays.stream(lat).average().orElse(0));
          t.seconds += (System.nanoTime() - start) / 1e9;
          Map<String, Long> cpu1 = cpuTicks(pids);
          cpu1.forEach((n, v) -> t.cpuTicks.merge(n, v - cpu0.get(n), Long::sum));
        }
      }
      Map<String, Double> jit1 = jitSeconds(pids);
      Map<String, Double> means = new HashMap<>();
      for (Route p : measured) {
        Tally t = tallies.get(p.label());
        double[] lat = t.latencies.stream().mapToDouble(Double::doubleValue).toArray();
        double mean = Arrays.stream(lat).average().orElse(0);
        means.put(p.label(), mean);
        double base = means.get(p.base());
        StringBuilder row =
            new StringBuilder(
                String.format(
                    "%-5d %-26s %9.2f %9.2f %9.2f %8.1f %7.1f%% %24s",
                    c,
                    p.label(),
                    mean,
                    pct(lat, 50),
                    pct(lat, 99),
                    lat.length / t.seconds,
                    100 * (mean - base) / base,
                    byRound(t.roundMeans, tallies.get(p.base()).roundMeans)));
        for (long ticks : t.cpuTicks.values()) {
          row.append(String.format(" %14.2f", ticks * 1000.0 / CLOCK_TICKS / lat.length));
        }
        System.out.println(row);
      }
      StringBuilder jit = new StringBuilder("      JIT compiling during these rounds, s:");
      jit0.forEach((n, v) -> jit.append(String.format(" %s %.2f", n, jit1.get(n) - v)));
      System.out.println(jit);
    }
    channels.forEach(ManagedChannel::shutdownNow);
    for (LeanHttp1Client c : leanClients) {
      c.close();
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  /** The route's calls by its one kind of client (the other form is null). */
  private static double[] run(Route route, int clients, int perClient) throws Exception {
    return route.async() != null
        ? ClosedLoop.chains(route.async(), clients, perClient)
        : ClosedLoop.threads(route.call(), clients, perClient);
  }

  /**
   * The added latency of each round against the base's round of the same index (measured moments
   * apart, so a drift of the machine's load between rounds cancels): median and range, in %.
   */
  private static String byRound(List<Double> means, List<Double> baseMeans) {
    double[] added = new double[means.size()];
    for (int r = 0; r < added.length; r++) {
      added[r] = 100 * (means.get(r) - baseMeans.get(r)) / baseMeans.get(r);
    }
    Arrays.sort(added);
    double median =
        added.length % 2 == 1
            ? added[added.length / 2]
            : (added[added.length / 2 - 1] + added[added.length / 2]) / 2;
    return String.format("%+.1f%% [%+.1f, %+.1f]", median, added[0], added[added.length - 1]);
  }

  /** {@code make(0) … make(count - 1)}. */
  private static <T> List<T> variants(int count, IntFunction<T> make) {
    return IntStream.range(0, count).mapToObj(make).toList();
  }

  /** Makes an asynchronous call and waits for its end; its failure is thrown. */
  private static void blocking(ClosedLoop.AsyncCall call, int index) {
    CompletableFuture<Throwable> end = new CompletableFuture<>();
    call.start(index, end::complete);
    Throwable t = end.join();
    if (t != null) {
      throw new IllegalStateException("call failed: " + t, t);
    }
  }

  /** Reports the end of a unary or server-streaming call (its messages are dropped). */
  private static <T> StreamObserver<T> observer(Consumer<Throwable> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        done.accept(t);
      }

      @Override
      public void onCompleted() {
        done.accept(null);
      }
    };
  }

  /** POST {@code body}, read the whole answer; anything but 200 is a failure naming the status. */
  private static void http(
      io.vertx.core.http.HttpClient client,
      RequestOptions request,
      Buffer body,
      Consumer<Throwable> done) {
    client
        .request(request)
        .compose(r -> r.send(body))
        .compose(
            response ->
                response
                    .body()
                    .compose(
                        b ->
                            response.statusCode() == 200
                                ? io.vertx.core.Future.succeededFuture(b)
                                : io.vertx.core.Future.failedFuture(
                                    "HTTP " + response.statusCode() + ": " + b)))
        .onComplete(ar -> done.accept(ar.failed() ? ar.cause() : null));
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

  /** Seconds each process's JIT has spent compiling so far (NaN where unreadable). */
  private static Map<String, Double> jitSeconds(Map<String, Long> pids) {
    Map<String, Double> out = new LinkedHashMap<>();
    pids.forEach((n, pid) -> out.put(n, JitTime.seconds(pid)));
    return out;
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

  private static double pct(double[] v, int p) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[Math.min(s.length - 1, (int) Math.ceil(p / 100.0 * s.length) - 1)];
  }

  private static ManagedChannel channel(String hostPort, List<ManagedChannel> all) {
    if (hostPort == null) {
      throw new IllegalArgumentException("missing address; see the class Javadoc for arguments");
    }
    // callbacks run on the channel's event loop: the async clients start their next call there
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(hostPort).usePlaintext().directExecutor().build();
    all.add(ch);
    return ch;
  }
}
