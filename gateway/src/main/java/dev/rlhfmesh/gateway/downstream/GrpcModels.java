package dev.rlhfmesh.gateway.downstream;

import dev.rlhfmesh.gateway.core.Models;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ListModelsRequest;
import dev.rlhfmesh.proto.model.v1.ListModelsResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link Models} over every model-svc replica behind {@code quarkus.grpc.clients.model.host}: with
 * {@code load-balancing-policy=round_robin} and the dns resolver, each call goes to the next
 * resolved address. Idempotent calls are retried once on UNAVAILABLE ({@link Retry}).
 */
@ApplicationScoped
public class GrpcModels implements Models {
  /** Calls go through grpc-java async stubs so that cancelling cancels them ({@link GrpcCalls}). */
  @GrpcClient("model")
  Channel channel;

  @Override
  public Uni<GenerateResponse> generate(GenerateRequest request, Duration timeout) {
    if (request.getSampling().hasSeed()) {
      return Retry.onceIfUnavailable(() -> generateOnce(request, timeout));
    }
    return generateOnce(request, timeout);
  }

  @Override
  public Multi<GenerateStreamResponse> generateStream(
      GenerateStreamRequest request, Duration timeout) {
    return GrpcCalls.cancellable(o -> stub(timeout).generateStream(request, o));
  }

  @Override
  public Uni<ListModelsResponse> list(Duration timeout) {
    return Retry.onceIfUnavailable(
        () ->
            GrpcCalls.cancellableUnary(
                o -> stub(timeout).listModels(ListModelsRequest.getDefaultInstance(), o)));
  }

  @Override
  public Uni<GetModelInfoResponse> info(String model, Duration timeout) {
    GetModelInfoRequest req = GetModelInfoRequest.newBuilder().setModel(model).build();
    return Retry.onceIfUnavailable(
        () -> GrpcCalls.cancellableUnary(o -> stub(timeout).getModelInfo(req, o)));
  }

  private Uni<GenerateResponse> generateOnce(GenerateRequest request, Duration timeout) {
    return GrpcCalls.cancellableUnary(o -> stub(timeout).generate(request, o));
  }

  private ModelServiceGrpc.ModelServiceStub stub(Duration timeout) {
    return ModelServiceGrpc.newStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
