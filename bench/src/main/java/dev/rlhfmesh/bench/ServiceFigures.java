package dev.rlhfmesh.bench;

import com.google.protobuf.ByteString;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.UploadChunksResponse;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Figures that need the running services: the packaged model-svc is started on free loopback ports
 * serving the benchmark's weights as "policy". Same approach as model-svc's own benchmark main: N
 * client threads each send Generate requests back to back (T = 1, EOS ignored, prompt 8, 56 new
 * tokens — the shape of the decode rows); served tokens/s = completion tokens / wall time. Weight
 * sync pushes the same model's tensors through the admin protocol (begin → chunks → commit) against
 * a raw loopback socket copy of the same bytes. The tokenizer and reward rows ({@link
 * TokenizerFigure}, {@link RewardFigure}) start tokenizer-svc and reward-svc and compare them with
 * the same work done in-process.
 */
public final class ServiceFigures {
  static final String NOT_BUILT = "service not built";
  static final Target SERVED_16 = Target.atLeast(1.0);
  static final String ADMIN_TOKEN = "bench-admin-token";
  static final int CHUNK = 1 << 20;

  private final Path work;
  private final Path modelDir;
  private final BenchMain.Options options;

  ServiceFigures(Path work, Path modelDir, BenchMain.Options options) {
    this.work = work;
    this.modelDir = modelDir;
    this.options = options;
  }

  /** The service's packaged app under the first root that has it (roots separated by ':'). */
  Path jar(String service) {
    Path rel = Path.of(service, "target", "quarkus-app", "quarkus-run.jar");
    String[] roots = options.servicesRoot().toString().split(":");
    for (String root : roots) {
      Path p = Path.of(root).resolve(rel);
      if (Files.exists(p)) {
        return p;
      }
    }
    return Path.of(roots[0]).resolve(rel);
  }

  /** The five service rows, all missing for one reason. */
  static List<Figure> skipped(String why) {
    List<Figure> f = new ArrayList<>();
    f.add(served(16, Double.NaN, Double.NaN, why));
    f.add(served(64, Double.NaN, Double.NaN, why));
    f.add(weightSync(Double.NaN, Double.NaN, why));
    f.add(tokenizerMissing(why));
    f.add(RewardFigure.missing(why));
    return f;
  }

  private static Figure tokenizerMissing(String why) {
    return Figure.missing("tokenizer encode over gRPC", "texts/s", "in-process", null, why);
  }

  static Figure served(int clients, double value, double peerBest, String note) {
    return new Figure(
        "served, " + clients + " gRPC clients (model-svc)",
        "tok/s",
        value,
        peerBest,
        "peer best static batch",
        clients == 16 ? SERVED_16 : null,
        note);
  }

  static Figure weightSync(double value, double raw, String note) {
    return new Figure(
        "weight sync (admin UpdateWeights)", "MB/s", value, raw, "raw loopback socket", null, note);
  }

  List<Figure> measure(double peerBestStaticBatch) {
    List<Figure> out = new ArrayList<>();
    if (!Files.exists(jar("model-svc"))) {
      out.add(served(16, Double.NaN, peerBestStaticBatch, NOT_BUILT));
      out.add(served(64, Double.NaN, peerBestStaticBatch, NOT_BUILT));
      out.add(weightSync(Double.NaN, Double.NaN, NOT_BUILT));
    } else {
      out.addAll(modelSvc(peerBestStaticBatch));
    }
    Path tokenizer = jar("tokenizer-svc");
    out.add(
        Files.exists(tokenizer)
            ? TokenizerFigure.measure(tokenizer, work, options.repeats())
            : tokenizerMissing(NOT_BUILT));
    Path reward = jar("reward-svc");
    out.add(
        Files.exists(reward)
            ? RewardFigure.measure(reward, work, options.repeats())
            : RewardFigure.missing(NOT_BUILT));
    return out;
  }

  private List<Figure> modelSvc(double peerBest) {
    int admin = AppProcess.freePort();
    List<String> props =
        List.of(
            "rlhf.model.served=policy",
            "rlhf.model.models.policy.path=" + modelDir.toAbsolutePath(),
            "rlhf.model.scheduler.max-batch=64",
            "rlhf.model.scheduler.queue-capacity=100000",
            "rlhf.model.admin.host=127.0.0.1",
            "rlhf.model.admin.port=" + admin,
            "rlhf.model.admin.token=" + ADMIN_TOKEN,
            // one intra-op thread: the app's gRPC threads and the clients need the other core
            // (measured with ModelSvcBenchmark on 2 cores: two threads served 3x fewer tokens/s)
            "ai.djl.pytorch.num_threads=1",
            "ai.djl.pytorch.num_interop_threads=1");
    try (AppProcess app =
        AppProcess.start(jar("model-svc"), props, work.resolve("model-svc.log"), 120)) {
      List<Figure> f = new ArrayList<>();
      try {
        generate(app.channel, 0, 8); // reachable and implemented?
        // a fresh app's JIT keeps compiling for ~100k tokens (model-svc's benchmark measured its
        // CPU
        // per token falling 125 -> 81 -> 67 -> 63 us over four rounds): warm for at least 15 s
        long warmUntil = System.nanoTime() + 15_000_000_000L;
        for (int clients : new int[] {16, 64}) {
          int perClient = clients == 16 ? 8 : 2;
          double[] s = new double[options.repeats()];
          for (int w = 0; w < 3 || System.nanoTime() < warmUntil; w++) {
            load(app.channel, clients, perClient);
          }
          for (int r = 0; r < s.length; r++) {
            s[r] = load(app.channel, clients, perClient);
          }
          f.add(served(clients, Stats.median(s), peerBest, null));
        }
      } catch (StatusRuntimeException e) {
        String why = "model-svc answers " + e.getStatus().getCode();
        f.add(served(16, Double.NaN, peerBest, why));
        f.add(served(64, Double.NaN, peerBest, why));
      }
      f.add(weightSyncFigure(admin));
      return f;
    } catch (Exception e) {
      String why = "model-svc: " + e.getMessage();
      return List.of(
          served(16, Double.NaN, peerBest, why),
          served(64, Double.NaN, peerBest, why),
          weightSync(Double.NaN, Double.NaN, why));
    }
  }

  static final int PROMPT = 8;
  static final int NEW_TOKENS = 56;

  static int generate(ManagedChannel ch, long seed, int maxNew) {
    TokenIds.Builder p = TokenIds.newBuilder();
    for (int i = 0; i < PROMPT; i++) {
      p.addIds((int) Math.floorMod(seed * 31 + i * 7, BenchMain.VOCAB));
    }
    SamplingParams.Builder s =
        SamplingParams.newBuilder()
            .setTemperature(1f)
            .setSeed(seed)
            .setMaxNewTokens(maxNew)
            .setIgnoreEos(true);
    GenerateRequest req =
        GenerateRequest.newBuilder().setModel("policy").addPrompts(p).setSampling(s).build();
    return ModelServiceGrpc.newBlockingStub(ch)
        .withDeadlineAfter(120, TimeUnit.SECONDS)
        .generate(req)
        .getCompletions(0)
        .getTokenIdsCount();
  }

  /** Tokens/s of {@code clients} threads each sending {@code perClient} requests back to back. */
  static double load(ManagedChannel ch, int clients, int perClient) throws Exception {
    AtomicLong tokens = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> fs = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        long client = c;
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perClient; i++) {
                    tokens.addAndGet(generate(ch, client * 1000 + i, NEW_TOKENS));
                  }
                  return null;
                }));
      }
      for (Future<?> f : fs) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          if (e.getCause() instanceof StatusRuntimeException s) {
            throw s;
          }
          throw e;
        }
      }
      return tokens.get() / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  private Figure weightSyncFigure(int adminPort) {
    try {
      Map<String, WeightFile.Tensor> tensors =
          WeightFile.read(modelDir.resolve("model.safetensors"));
      long bytes = tensors.values().stream().mapToLong(t -> t.data().length).sum();
      Metadata md = new Metadata();
      md.put(
          Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + ADMIN_TOKEN);
      ManagedChannel ch =
          ManagedChannelBuilder.forAddress("127.0.0.1", adminPort)
              .usePlaintext()
              .intercept(MetadataUtils.newAttachHeadersInterceptor(md))
              .build();
      try {
        int n = Math.max(3, options.repeats());
        double[] push = new double[n];
        double[] raw = new double[n];
        push(ch, 1, tensors); // warm-up
        rawLoopback(tensors);
        for (int i = 0; i < n; i++) {
          push[i] = bytes / 1e6 / push(ch, 2 + i, tensors);
          raw[i] = bytes / 1e6 / rawLoopback(tensors);
        }
        return weightSync(
            Stats.median(push),
            Stats.median(raw),
            String.format(java.util.Locale.ROOT, "%.1f MB model", bytes / 1e6));
      } finally {
        ch.shutdownNow();
      }
    } catch (StatusRuntimeException e) {
      return weightSync(Double.NaN, Double.NaN, "admin answers " + e.getStatus().getCode());
    } catch (Exception e) {
      return weightSync(Double.NaN, Double.NaN, e.getMessage());
    }
  }

  /** Seconds of one begin → chunks → commit update to {@code version}. */
  static double push(ManagedChannel ch, long version, Map<String, WeightFile.Tensor> tensors)
      throws Exception {
    long t0 = System.nanoTime();
    var blocking =
        WeightAdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
    BeginUpdateRequest.Builder begin =
        BeginUpdateRequest.newBuilder().setModel("policy").setVersion(version);
    tensors.forEach(
        (name, t) ->
            begin.addManifest(
                TensorSpec.newBuilder()
                    .setName(name)
                    .setDtype(DType.D_TYPE_FLOAT32)
                    .addAllShape(t.shapeList())
                    .setByteSize(t.data().length)));
    String id = blocking.beginUpdate(begin.build()).getUpdateId();
    CompletableFuture<UploadChunksResponse> done = new CompletableFuture<>();
    StreamObserver<WeightChunk> up =
        WeightAdminServiceGrpc.newStub(ch)
            .uploadChunks(
                new StreamObserver<>() {
                  @Override
                  public void onNext(UploadChunksResponse r) {
                    done.complete(r);
                  }

                  @Override
                  public void onError(Throwable t) {
                    done.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    done.complete(null);
                  }
                });
    for (var e : tensors.entrySet()) {
      byte[] d = e.getValue().data();
      for (int off = 0; off < d.length; off += CHUNK) {
        up.onNext(
            WeightChunk.newBuilder()
                .setUpdateId(id)
                .setTensorName(e.getKey())
                .setOffset(off)
                .setData(ByteString.copyFrom(d, off, Math.min(CHUNK, d.length - off)))
                .build());
      }
    }
    up.onCompleted();
    try {
      done.get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof StatusRuntimeException s
          ? s
          : Status.INTERNAL.withCause(e).asRuntimeException();
    }
    blocking.commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId(id).build());
    return (System.nanoTime() - t0) / 1e9;
  }

  /** Seconds to copy the same bytes through a loopback TCP socket. */
  static double rawLoopback(Map<String, WeightFile.Tensor> tensors) throws Exception {
    try (ServerSocket server = new ServerSocket(0)) {
      CompletableFuture<Long> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept();
                    InputStream in = s.getInputStream()) {
                  byte[] buf = new byte[CHUNK];
                  long n = 0;
                  int r;
                  while ((r = in.read(buf)) > 0) {
                    n += r;
                  }
                  return n;
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long t0 = System.nanoTime();
      try (Socket s = new Socket("127.0.0.1", server.getLocalPort());
          OutputStream out = s.getOutputStream()) {
        for (WeightFile.Tensor t : tensors.values()) {
          out.write(t.data());
        }
      }
      received.get(60, TimeUnit.SECONDS);
      return (System.nanoTime() - t0) / 1e9;
    }
  }
}
