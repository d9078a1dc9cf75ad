package dev.rlhfmesh.modelsvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ModelServiceSkeletonTest {
  /** In test mode a client without a test-port talks to this app's own server, over the network. */
  @GrpcClient("self")
  Channel channel;

  @Test
  void health_reportsServingForTheModelService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder().setService("rlhf.model.v1.ModelService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void generate_isUnimplementedWithAMessage() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ModelServiceGrpc.newBlockingStub(channel)
                    .generate(GenerateRequest.newBuilder().setModel("policy").build()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("issue #4"));
  }
}
