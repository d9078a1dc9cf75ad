package dev.rlhfmesh.modelsvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.errors.Validation;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.modelsvc.ModelSvcRuntime;
import dev.rlhfmesh.modelsvc.config.ModelSvcConfig;
import dev.rlhfmesh.modelsvc.serving.FinishReason;
import dev.rlhfmesh.modelsvc.serving.GenerationJob;
import dev.rlhfmesh.modelsvc.serving.GenerationListener;
import dev.rlhfmesh.modelsvc.serving.SamplingSpec;
import dev.rlhfmesh.modelsvc.serving.ServedModel;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ListModelsRequest;
import dev.rlhfmesh.proto.model.v1.ListModelsResponse;
import dev.rlhfmesh.proto.model.v1.ModelService;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import dev.rlhfmesh.proto.model.v1.SequenceScore;
import io.grpc.Context;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * gRPC adapter of model-svc: maps {@code rlhf.model.v1.ModelService} messages to the serving layer.
 * Generate calls only enqueue (the model's decode thread answers); a cancelled call or a passed
 * deadline is seen by the scheduler at its next step and frees the call's slots.
 */
@GrpcService
public class ModelGrpcService implements ModelService {
  @Inject ModelSvcRuntime runtime;
  @Inject ModelSvcConfig config;

  @Override
  public Uni<GenerateResponse> generate(GenerateRequest request) {
    return Uni.createFrom()
        .emitter(
            em -> {
              AtomicBoolean gone = new AtomicBoolean();
              em.onTermination(() -> gone.set(true));
              try {
                ServedModel model = model(request.getModel());
                List<int[]> prompts = GenerateRequests.prompts(request.getPromptsList(), model);
                SamplingSpec spec = sampling(request.getSampling(), model);
                CompletionCollector collector =
                    new CompletionCollector(
                        prompts.size(), spec.n(), spec.returnLogprobs(), em, answerExecutor());
                model.generate(new GenerationJob(prompts, spec, cancelled(gone), collector));
              } catch (RuntimeException e) {
                em.fail(e);
              }
            });
  }

  @Override
  public Multi<GenerateStreamResponse> generateStream(GenerateStreamRequest request) {
    return Multi.createFrom()
        .emitter(
            em -> {
              AtomicBoolean gone = new AtomicBoolean();
              em.onTermination(() -> gone.set(true));
              try {
                ServedModel model = model(request.getModel());
                List<int[]> prompts = GenerateRequests.prompts(request.getPromptsList(), model);
                SamplingSpec spec = sampling(request.getSampling(), model);
                model.generate(
                    new GenerationJob(
                        prompts,
                        spec,
                        cancelled(gone),
                        new StreamForwarder(em, spec, answerExecutor())));
              } catch (RuntimeException e) {
                em.fail(e);
              }
            });
  }

  @Override
  @Blocking
  public Uni<ScoreSequencesResponse> scoreSequences(ScoreSequencesRequest request) {
    return Uni.createFrom()
        .item(
            () -> {
              ServedModel model = model(request.getModel());
              Validation.requireNonEmpty("sequences", request.getSequencesList());
              int ctx = model.config().nPositions();
              List<int[]> prompts = new ArrayList<>();
              List<int[]> responses = new ArrayList<>();
              for (int i = 0; i < request.getSequencesCount(); i++) {
                var s = request.getSequences(i);
                int[] p =
                    GenerateRequests.ids(
                        "sequences[" + i + "].prompt.ids", s.getPrompt(), model, ctx - 1);
                int[] r =
                    GenerateRequests.ids(
                        "sequences[" + i + "].response.ids",
                        s.getResponse(),
                        model,
                        ctx - p.length);
                prompts.add(p);
                responses.add(r);
              }
              ServedModel.Scores scores = model.score(prompts, responses);
              ScoreSequencesResponse.Builder out =
                  ScoreSequencesResponse.newBuilder().setPolicyVersion(scores.version());
              for (int i = 0; i < prompts.size(); i++) {
                SequenceScore.Builder b = SequenceScore.newBuilder();
                for (float f : scores.logprobs()[i]) {
                  b.addLogprobs(f);
                }
                if (request.getReturnEntropies()) {
                  for (float f : scores.entropies()[i]) {
                    b.addEntropies(f);
                  }
                }
                out.addScores(b);
              }
              return out.build();
            });
  }

  @Override
  public Uni<GetModelInfoResponse> getModelInfo(GetModelInfoRequest request) {
    return Uni.createFrom().item(() -> info(model(request.getModel())));
  }

  @Override
  public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
    return Uni.createFrom()
        .item(
            () -> {
              ListModelsResponse.Builder b = ListModelsResponse.newBuilder();
              runtime.registry().all().forEach(m -> b.addModels(info(m)));
              return b.build();
            });
  }

  private ServedModel model(String name) {
    if (name.isBlank()) {
      throw ServiceException.invalidArgument("model", name, "is required (e.g. \"policy\")");
    }
    return runtime.registry().get(name);
  }

  private SamplingSpec sampling(SamplingParams p, ServedModel model) {
    return GenerateRequests.sampling(p, model, config.scheduler().maxSamples());
  }

  /**
   * Where a call's answers are sent from: the Vert.x context the call arrived on (its event loop;
   * tasks run in order), so that the decode thread only hands them over. Sending inline cost the
   * decode thread 14% of its samples at 16 clients (JFR: headers, framing, tracing, context
   * propagation), time every other sequence of the batch waited for. (On the 2-core development
   * machine, where the event loop shares the other core with the clients, moving it measured no
   * difference; see README.md, "Benchmark".)
   */
  private static Executor answerExecutor() {
    io.vertx.core.Context context = Vertx.currentContext();
    if (context == null) {
      return Runnable::run;
    }
    return task -> context.runOnContext(ignored -> task.run());
  }

  /** The call is gone when the client cancelled, the deadline passed or Mutiny terminated. */
  private static BooleanSupplier cancelled(AtomicBoolean gone) {
    Context ctx = Context.current();
    return () -> gone.get() || ctx.isCancelled();
  }

  private static GetModelInfoResponse info(ServedModel m) {
    GptConfig c = m.config();
    return GetModelInfoResponse.newBuilder()
        .setModel(m.name())
        .setArchitecture("gpt2")
        .setVocabSize(c.vocabSize())
        .setNPositions(c.nPositions())
        .setNLayer(c.nLayer())
        .setNHead(c.nHead())
        .setNEmbd(c.nEmbd())
        .setParameterCount(c.parameterCount())
        .setPolicyVersion(m.version())
        .setSource(m.source())
        .setEosTokenId(m.eosId())
        .build();
  }

  /** Forwards each step of a streamed generation as one message, in order per sample. */
  private static final class StreamForwarder implements GenerationListener {
    private final MultiEmitter<? super GenerateStreamResponse> em;
    private final boolean logprobs;
    private final Executor answer;

    StreamForwarder(
        MultiEmitter<? super GenerateStreamResponse> em, SamplingSpec spec, Executor answer) {
      this.em = em;
      this.logprobs = spec.returnLogprobs();
      this.answer = answer;
    }

    @Override
    public void onStep(
        int promptIndex,
        int sampleIndex,
        int token,
        float logprob,
        FinishReason finish,
        String text,
        long version) {
      GenerateStreamResponse.Builder b =
          GenerateStreamResponse.newBuilder()
              .setPromptIndex(promptIndex)
              .setSampleIndex(sampleIndex)
              .setPolicyVersion(version)
              .setFinishReason(GenerateRequests.toProto(finish));
      if (token >= 0) {
        b.addTokenIds(token);
        if (logprobs) {
          b.addLogprobs(logprob);
        }
      }
      GenerateStreamResponse message = b.build();
      answer.execute(() -> em.emit(message));
    }

    @Override
    public void onComplete() {
      answer.execute(em::complete);
    }

    @Override
    public void onError(Throwable failure) {
      answer.execute(() -> em.fail(failure));
    }
  }
}
