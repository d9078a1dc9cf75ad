package dev.rlhfmesh.gateway.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.gateway.errors.RetryAfter;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A burst of 2 and a slow refill: the third call of a key is refused with a retry hint. */
@QuarkusTest
@TestProfile(RateLimitTest.Tight.class)
class RateLimitTest {
  public static class Tight implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "rlhf.gateway.rate-limit.requests-per-second", "0.1",
          "rlhf.gateway.rate-limit.burst", "2");
    }
  }

  @GrpcClient("self")
  Channel channel;

  @Test
  void http_thirdCallIs429WithRetryAfter() {
    for (int i = 0; i < 2; i++) {
      given().header("Authorization", "Bearer test-key-1").get("/v1/models").then().statusCode(200);
    }
    String retryAfter =
        given()
            .header("Authorization", "Bearer test-key-1")
            .get("/v1/models")
            .then()
            .statusCode(429)
            .body("error.type", equalTo("rate_limit_error"))
            .extract()
            .header("Retry-After");
    long seconds = Long.parseLong(retryAfter);
    assertTrue(seconds >= 1 && seconds <= 10, "Retry-After " + seconds);
  }

  @Test
  void grpc_thirdCallIsResourceExhaustedWithRetryAfterTrailer() {
    var stub =
        GatewayServiceGrpc.newBlockingStub(channel)
            .withCallCredentials(new dev.rlhfmesh.grpc.BearerTokenCredentials("test-key-2"));
    CompleteRequest req =
        CompleteRequest.newBuilder().setModel("policy").setPrompt("Hello").build();
    stub.complete(req);
    stub.complete(req);
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.complete(req));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("retry after"));
    String trailer = e.getTrailers().get(RetryAfter.TRAILER);
    assertTrue(Long.parseLong(trailer) >= 1, "retry-after trailer " + trailer);
  }
}
