package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ListModelsResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;

/**
 * What the gateway needs from the model-svc replicas (the port; the balanced gRPC client implements
 * it). Cancelling a returned Uni/Multi cancels the downstream call.
 */
public interface Models {
  Uni<GenerateResponse> generate(GenerateRequest request, Duration timeout);

  Multi<GenerateStreamResponse> generateStream(GenerateStreamRequest request, Duration timeout);

  Uni<ListModelsResponse> list(Duration timeout);

  Uni<GetModelInfoResponse> info(String model, Duration timeout);
}
