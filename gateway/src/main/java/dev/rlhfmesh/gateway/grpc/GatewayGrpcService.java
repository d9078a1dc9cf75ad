package dev.rlhfmesh.gateway.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatResponse;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.GatewayService;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of gateway. Not built yet: every RPC says so (issue #7). */
@GrpcService
public class GatewayGrpcService implements GatewayService {
  private static final String NOT_BUILT =
      " is not built yet in gateway (tracked by issue #7: the public edge)";

  @Override
  public Uni<CompleteResponse> complete(CompleteRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Complete" + NOT_BUILT));
  }

  @Override
  public Multi<CompleteStreamResponse> completeStream(CompleteStreamRequest request) {
    return Multi.createFrom().failure(ServiceException.unimplemented("CompleteStream" + NOT_BUILT));
  }

  @Override
  public Uni<ChatResponse> chat(ChatRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Chat" + NOT_BUILT));
  }

  @Override
  public Multi<ChatStreamResponse> chatStream(ChatStreamRequest request) {
    return Multi.createFrom().failure(ServiceException.unimplemented("ChatStream" + NOT_BUILT));
  }
}
