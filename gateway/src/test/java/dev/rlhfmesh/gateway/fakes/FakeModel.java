package dev.rlhfmesh.gateway.fakes;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ListModelsRequest;
import dev.rlhfmesh.proto.model.v1.ListModelsResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Downstream fake of model-svc over {@link FakeTokenizer}'s byte ids. It answers {@link #REPLY}
 * (with its multi-byte characters), or, when the prompt contains {@code echo:}, the rest of that
 * line. Models: {@code policy}, {@code reference}; {@code slow} streams a token every 50 ms and
 * records cancellation; {@code flaky} fails every other Generate with UNAVAILABLE; {@code busy}
 * refuses every Generate/GenerateStream with RESOURCE_EXHAUSTED as a full admission queue does.
 * Anything else is NOT_FOUND. Token delay for benchmarks: {@link #tokenDelayMicros}.
 */
@GrpcService
public class FakeModel extends ModelServiceGrpc.ModelServiceImplBase {
  public static final String REPLY = "Hi \u2603 \uD83D\uDE00!";
  static final Set<String> MODELS = Set.of("policy", "reference", "slow", "flaky", "busy");

  /** model-svc's wording for a full replica. */
  public static final String BUSY = "model 'busy' is full: 4 sequences decoding or waiting";

  /** Last Generate/GenerateStream sampling parameters, for assertions. */
  public static final AtomicReference<SamplingParams> LAST_SAMPLING = new AtomicReference<>();

  /** Remaining deadline (ms) seen by the last call; -1 when it had none. */
  public static final AtomicReference<Long> LAST_DEADLINE_MS = new AtomicReference<>(-1L);

  /** Trace id of the span this fake's last call ran in (W3C propagation from the gateway). */
  public static final AtomicReference<String> LAST_TRACE_ID = new AtomicReference<>("");

  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fake-model-slow");
            t.setDaemon(true);
            return t;
          });

  public static final AtomicInteger FLAKY_CALLS = new AtomicInteger();
  public static volatile CountDownLatch slowCancelled = new CountDownLatch(1);

  /** Simulated decode time per token (benchmarks); 0 in tests. */
  public static volatile long tokenDelayMicros = 0;

  @Override
  public void generate(GenerateRequest req, StreamObserver<GenerateResponse> out) {
    if (!known(req.getModel(), out)) {
      return;
    }
    record();
    LAST_SAMPLING.set(req.getSampling());
    if (refusedAsBusy(req.getModel(), out)) {
      return;
    }
    if (req.getModel().equals("flaky") && FLAKY_CALLS.getAndIncrement() % 2 == 0) {
      out.onError(Status.UNAVAILABLE.withDescription("replica down").asException());
      return;
    }
    GenerateResponse.Builder b = GenerateResponse.newBuilder();
    SamplingParams s = req.getSampling();
    for (int p = 0; p < req.getPromptsCount(); p++) {
      for (int k = 0; k < Math.max(1, s.getN()); k++) {
        List<Integer> ids = tokens(req.getPrompts(p), s);
        sleepMicros(tokenDelayMicros * ids.size());
        Completion.Builder c =
            Completion.newBuilder()
                .setPromptIndex(p)
                .setSampleIndex(k)
                .addAllTokenIds(ids)
                .setFinishReason(finish(ids, s));
        if (s.getReturnLogprobs()) {
          ids.forEach(id -> c.addLogprobs(-0.5f));
        }
        b.addCompletions(c);
      }
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void generateStream(
      GenerateStreamRequest req, StreamObserver<GenerateStreamResponse> plain) {
    if (!known(req.getModel(), plain)) {
      return;
    }
    record();
    LAST_SAMPLING.set(req.getSampling());
    if (refusedAsBusy(req.getModel(), plain)) {
      return;
    }
    ServerCallStreamObserver<GenerateStreamResponse> out =
        (ServerCallStreamObserver<GenerateStreamResponse>) plain;
    if (req.getModel().equals("slow")) {
      slowStream(req.getSampling().getMaxNewTokens(), out);
      return;
    }
    SamplingParams s = req.getSampling();
    for (int p = 0; p < req.getPromptsCount(); p++) {
      for (int k = 0; k < Math.max(1, s.getN()); k++) {
        List<Integer> ids = tokens(req.getPrompts(p), s);
        FinishReason reason = finish(ids, s);
        for (int i = 0; i < ids.size(); i++) {
          if (out.isCancelled()) {
            return;
          }
          sleepMicros(tokenDelayMicros);
          GenerateStreamResponse.Builder m =
              GenerateStreamResponse.newBuilder()
                  .setPromptIndex(p)
                  .setSampleIndex(k)
                  .addTokenIds(ids.get(i));
          if (i == ids.size() - 1) {
            m.setFinishReason(reason);
          }
          out.onNext(m.build());
        }
      }
    }
    out.onCompleted();
  }

  @Override
  public void listModels(ListModelsRequest req, StreamObserver<ListModelsResponse> out) {
    ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
    MODELS.stream().sorted().forEach(m -> b.addModels(info(m)));
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void getModelInfo(GetModelInfoRequest req, StreamObserver<GetModelInfoResponse> out) {
    if (!known(req.getModel(), out)) {
      return;
    }
    out.onNext(info(req.getModel()));
    out.onCompleted();
  }

  private static GetModelInfoResponse info(String m) {
    return GetModelInfoResponse.newBuilder()
        .setModel(m)
        .setArchitecture("fake")
        .setVocabSize(FakeTokenizer.VOCAB)
        .setNPositions(1024)
        .setEosTokenId(FakeTokenizer.EOS)
        .build();
  }

  private static boolean known(String model, StreamObserver<?> out) {
    if (MODELS.contains(model)) {
      return true;
    }
    out.onError(Status.NOT_FOUND.withDescription("model '" + model + "' not found").asException());
    return false;
  }

  private static boolean refusedAsBusy(String model, StreamObserver<?> out) {
    if (!model.equals("busy")) {
      return false;
    }
    out.onError(Status.RESOURCE_EXHAUSTED.withDescription(BUSY).asException());
    return true;
  }

  private static void record() {
    Deadline d = Context.current().getDeadline();
    LAST_DEADLINE_MS.set(d == null ? -1L : d.timeRemaining(TimeUnit.MILLISECONDS));
    LAST_TRACE_ID.set(io.opentelemetry.api.trace.Span.current().getSpanContext().getTraceId());
  }

  /** The reply's byte ids, cut at max_new_tokens, else followed by EOS. */
  static List<Integer> tokens(TokenIds prompt, SamplingParams s) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    // byte ids only: a real tokenizer (the in-process tests) also sends special ids >= 256
    prompt.getIdsList().stream().filter(id -> id < 256).forEach(bytes::write);
    String text = bytes.toString(StandardCharsets.UTF_8);
    String reply = REPLY;
    int at = text.indexOf("echo:");
    if (at >= 0) {
      int end = text.indexOf('\n', at);
      reply = text.substring(at + 5, end < 0 ? text.length() : end);
    }
    List<Integer> ids = new ArrayList<>();
    for (byte x : reply.getBytes(StandardCharsets.UTF_8)) {
      ids.add(x & 0xff);
    }
    int max = s.getMaxNewTokens() == 0 ? 16 : s.getMaxNewTokens();
    if (ids.size() >= max) {
      return new ArrayList<>(ids.subList(0, max));
    }
    ids.add(FakeTokenizer.EOS);
    return ids;
  }

  private static FinishReason finish(List<Integer> ids, SamplingParams s) {
    return !ids.isEmpty() && ids.get(ids.size() - 1) == FakeTokenizer.EOS
        ? FinishReason.FINISH_REASON_EOS
        : FinishReason.FINISH_REASON_LENGTH;
  }

  /** 'z' every 50 ms from a timer (never blocking the server's threads) until cancelled. */
  private static void slowStream(int max, ServerCallStreamObserver<GenerateStreamResponse> out) {
    CountDownLatch cancelled = slowCancelled;
    AtomicInteger sent = new AtomicInteger();
    ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
    out.setOnCancelHandler(
        () -> {
          cancelled.countDown();
          if (task[0] != null) {
            task[0].cancel(false);
          }
        });
    task[0] =
        TIMER.scheduleAtFixedRate(
            () -> {
              synchronized (out) {
                if (out.isCancelled() || sent.get() >= max) {
                  return;
                }
                GenerateStreamResponse.Builder m =
                    GenerateStreamResponse.newBuilder().addTokenIds('z');
                if (sent.incrementAndGet() == max) {
                  m.setFinishReason(FinishReason.FINISH_REASON_LENGTH);
                  out.onNext(m.build());
                  out.onCompleted();
                } else {
                  out.onNext(m.build());
                }
              }
            },
            0,
            50,
            TimeUnit.MILLISECONDS);
  }

  private static void sleepMicros(long micros) {
    if (micros <= 0) {
      return;
    }
    try {
      TimeUnit.MICROSECONDS.sleep(micros);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
