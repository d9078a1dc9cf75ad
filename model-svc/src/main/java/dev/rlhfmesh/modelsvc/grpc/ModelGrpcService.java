package dev.rlhfmesh.modelsvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
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
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of model-svc. Not built yet: every RPC says so (issue #4). */
@GrpcService
public class ModelGrpcService implements ModelService {
  private static final String NOT_BUILT =
      " is not built yet in model-svc (tracked by issue #4: policy and reference inference)";

  @Override
  public Uni<GenerateResponse> generate(GenerateRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Generate" + NOT_BUILT));
  }

  @Override
  public Multi<GenerateStreamResponse> generateStream(GenerateStreamRequest request) {
    return Multi.createFrom().failure(ServiceException.unimplemented("GenerateStream" + NOT_BUILT));
  }

  @Override
  public Uni<ScoreSequencesResponse> scoreSequences(ScoreSequencesRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("ScoreSequences" + NOT_BUILT));
  }

  @Override
  public Uni<GetModelInfoResponse> getModelInfo(GetModelInfoRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("GetModelInfo" + NOT_BUILT));
  }

  @Override
  public Uni<ListModelsResponse> listModels(ListModelsRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("ListModels" + NOT_BUILT));
  }
}
