package dev.rlhfmesh.gateway.bench;

import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Latency the gateway adds over calling model-svc directly: the same unary generation (fixed
 * prompt, seed, temperature 0, max tokens) three ways — model-svc Generate with pre-tokenized ids
 * (the baseline), gateway gRPC Complete, gateway HTTP POST /v1/completions — at each concurrency
 * (clients each sending requests back to back). Prints mean/p50/p99 per call and the added latency
 * relative to the baseline. Not a test.
 *
 * <pre>
 * GatewayLatencyBench --model-svc localhost:9002 --tokenizer localhost:9001 \
 *   --gateway-grpc localhost:9000 --gateway-http http://localhost:8080 --key KEY \
 *   [--model policy] [--requests 200] [--max-tokens 16] [--concurrency 1,16]
 * </pre>
 */
public final class GatewayLatencyBench {
  private static final String PROMPT = "The quick brown fox jumps over the lazy dog.";

  private GatewayLatencyBench() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = args(argv);
    String model = a.getOrDefault("model", "policy");
    int requests = Integer.parseInt(a.getOrDefault("requests", "200"));
    int maxTokens = Integer.parseInt(a.getOrDefault("max-tokens", "16"));
    int[] levels =
        Arrays.stream(a.getOrDefault("concurrency", "1,16").split(","))
            .mapToInt(Integer::parseInt)
            .toArray();
    String key = a.getOrDefault("key", "");
    ManagedChannel modelCh = channel(a.get("model-svc"));
    ManagedChannel tokCh = channel(a.get("tokenizer"));
    ManagedChannel gwCh = channel(a.get("gateway-grpc"));
    String http = a.get("gateway-http");
    SamplingParams sampling =
        SamplingParams.newBuilder().setTemperature(0).setSeed(1).setMaxNewTokens(maxTokens).build();

    TokenIds ids =
        TokenizerServiceGrpc.newBlockingStub(tokCh)
            .encode(EncodeRequest.newBuilder().addTexts(PROMPT).build())
            .getSequences(0);
    GenerateRequest direct =
        GenerateRequest.newBuilder().setModel(model).addPrompts(ids).setSampling(sampling).build();
    var modelStub = ModelServiceGrpc.newBlockingStub(modelCh);
    var gwStub =
        GatewayServiceGrpc.newBlockingStub(gwCh)
            .withCallCredentials(new BearerTokenCredentials(key));
    CompleteRequest viaGrpc =
        CompleteRequest.newBuilder()
            .setModel(model)
            .setPrompt(PROMPT)
            .setSampling(sampling)
            .build();
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String body =
        "{\"model\":\""
            + model
            + "\",\"prompt\":\""
            + PROMPT
            + "\",\"max_tokens\":"
            + maxTokens
            + ",\"temperature\":0,\"seed\":1}";
    HttpRequest viaHttp =
        HttpRequest.newBuilder(URI.create(http + "/v1/completions"))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();

    Runnable callDirect = () -> modelStub.generate(direct);
    Runnable callGrpc = () -> gwStub.complete(viaGrpc);
    Runnable callHttp =
        () -> {
          try {
            HttpResponse<String> r = client.send(viaHttp, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
              throw new IllegalStateException("HTTP " + r.statusCode() + ": " + r.body());
            }
          } catch (Exception e) {
            throw new RuntimeException(e);
          }
        };

    System.out.printf(
        "gateway latency bench: model=%s max_tokens=%d requests/client=%d prompt=%d tokens%n",
        model, maxTokens, requests, ids.getIdsCount());
    System.out.printf(
        "%-6s %-8s %10s %10s %10s %10s %10s%n",
        "conc", "path", "mean ms", "p50 ms", "p99 ms", "req/s", "added");
    for (int c : levels) {
      double base = 0;
      for (String path : List.of("direct", "grpc", "http")) {
        Runnable call =
            path.equals("direct") ? callDirect : path.equals("grpc") ? callGrpc : callHttp;
        run(call, c, Math.max(10, requests / 10)); // warm-up
        long start = System.nanoTime();
        double[] lat = run(call, c, requests);
        double seconds = (System.nanoTime() - start) / 1e9;
        double mean = Arrays.stream(lat).average().orElse(0);
        if (path.equals("direct")) {
          base = mean;
        }
        System.out.printf(
            "%-6d %-8s %10.3f %10.3f %10.3f %10.1f %9.1f%%%n",
            c,
            path,
            mean,
            pct(lat, 50),
            pct(lat, 99),
            lat.length / seconds,
            path.equals("direct") ? 0.0 : 100 * (mean - base) / base);
      }
    }
    modelCh.shutdownNow();
    tokCh.shutdownNow();
    gwCh.shutdownNow();
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

  private static ManagedChannel channel(String hostPort) {
    if (hostPort == null) {
      throw new IllegalArgumentException("missing address; see the class Javadoc for arguments");
    }
    return ManagedChannelBuilder.forTarget(hostPort).usePlaintext().build();
  }

  private static Map<String, String> args(String[] argv) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) {
      m.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    }
    return m;
  }
}
