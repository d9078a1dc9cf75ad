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
import dev.rlhfmesh.proto.model.v1.MutinyModelServiceGrpc.MutinyModelServiceStub;
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
  @GrpcClient("model")
  MutinyModelServiceStub stub;

  /** grpc-java stubs for streams (see {@link GrpcStreams}); the same channel as {@link #stub}. */
  @GrpcClient("model")
  Channel channel;

  @Override
  public Uni<GenerateResponse> generate(GenerateRequest request, Duration timeout) {
    if (request.getSampling().hasSeed()) {
      return Retry.onceIfUnavailable(() -> stub(timeout).generate(request));
    }
    return stub(timeout).generate(request);
  }

  @Override
  public Multi<GenerateStreamResponse> generateStream(
      GenerateStreamRequest request, Duration timeout) {
    return GrpcStreams.cancellable(
        observer ->
            ModelServiceGrpc.newStub(channel)
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .generateStream(request, observer));
  }

  @Override
  public Uni<ListModelsResponse> list(Duration timeout) {
    return Retry.onceIfUnavailable(
        () -> stub(timeout).listModels(ListModelsRequest.getDefaultInstance()));
  }

  @Override
  public Uni<GetModelInfoResponse> info(String model, Duration timeout) {
    GetModelInfoRequest req = GetModelInfoRequest.newBuilder().setModel(model).build();
    return Retry.onceIfUnavailable(() -> stub(timeout).getModelInfo(req));
  }

  private MutinyModelServiceStub stub(Duration timeout) {
    return stub.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
