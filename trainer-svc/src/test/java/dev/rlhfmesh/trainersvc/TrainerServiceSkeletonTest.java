package dev.rlhfmesh.trainersvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
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
class TrainerServiceSkeletonTest {
  /** In test mode a client without a test-port talks to this app's own server, over the network. */
  @GrpcClient("self")
  Channel channel;

  @Test
  void health_reportsServingForTrainerService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService("rlhf.trainer.v1.TrainerService")
                    .build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void startJob_isUnimplementedWithAMessage() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                TrainerServiceGrpc.newBlockingStub(channel)
                    .startJob(StartJobRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("issue #6"));
  }
}
