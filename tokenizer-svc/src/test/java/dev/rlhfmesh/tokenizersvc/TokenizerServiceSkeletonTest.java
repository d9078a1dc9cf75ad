package dev.rlhfmesh.tokenizersvc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
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
class TokenizerServiceSkeletonTest {
  /** In test mode a client without a test-port talks to this app's own server, over the network. */
  @GrpcClient("self")
  Channel channel;

  @Test
  void health_reportsServingForTokenizerService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService("rlhf.tokenizer.v1.TokenizerService")
                    .build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void encode_isUnimplementedWithAMessage() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                TokenizerServiceGrpc.newBlockingStub(channel)
                    .encode(EncodeRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("issue #2"));
  }
}
