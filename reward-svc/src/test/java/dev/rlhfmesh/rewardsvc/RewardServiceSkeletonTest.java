package dev.rlhfmesh.rewardsvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
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
class RewardServiceSkeletonTest {
  /** In test mode a client without a test-port talks to this app's own server, over the network. */
  @GrpcClient("self")
  Channel channel;

  @Test
  void health_reportsServingForRewardService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder().setService("rlhf.reward.v1.RewardService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void score_isUnimplementedWithAMessage() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                RewardServiceGrpc.newBlockingStub(channel)
                    .score(ScoreRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("issue #5"));
  }
}
