package dev.rlhfmesh.tokenizersvc.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The foundation every service keeps: metrics per RPC, HTTP and gRPC health, reflection. */
@QuarkusTest
class ObservabilityTest {
  static final String SERVICE = "rlhf.tokenizer.v1.TokenizerService";

  @GrpcClient("self")
  Channel channel;

  @TestHTTPResource("/q/metrics")
  URI metrics;

  @TestHTTPResource("/q/health")
  URI health;

  static HttpResponse<String> get(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void metrics_showPerRpcLatencyAndErrorCounts() throws Exception {
    var stub = TokenizerServiceGrpc.newBlockingStub(channel);
    stub.encode(EncodeRequest.newBuilder().addTexts("metrics").build());
    try {
      stub.decode(
          DecodeRequest.newBuilder().addSequences(TokenIds.newBuilder().addIds(-5)).build());
    } catch (StatusRuntimeException expected) {
      // counted as an INVALID_ARGUMENT call
    }
    HttpResponse<String> r = get(metrics);
    assertEquals(200, r.statusCode());
    String body = r.body();
    List<String> encodeLines =
        body.lines()
            .filter(l -> l.startsWith("grpc_server_processing_duration_seconds_count"))
            .filter(l -> l.contains("method=\"Encode\"") && l.contains(SERVICE))
            .toList();
    assertTrue(!encodeLines.isEmpty(), "no Encode latency metric in:\n" + grpcLines(body));
    assertTrue(
        body.lines()
            .anyMatch(
                l ->
                    l.startsWith("grpc_server_processing_duration_seconds_count")
                        && l.contains("method=\"Decode\"")
                        && l.contains("statusCode=\"INVALID_ARGUMENT\"")),
        "no Decode error count in:\n" + grpcLines(body));
  }

  private static String grpcLines(String body) {
    return String.join("\n", body.lines().filter(l -> l.contains("grpc")).limit(40).toList());
  }

  @Test
  void httpHealth_isUp() throws Exception {
    HttpResponse<String> r = get(health);
    assertEquals(200, r.statusCode());
    assertTrue(r.body().contains("\"UP\""), r.body());
  }

  @Test
  void grpcHealth_reportsServingForTokenizerService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(HealthCheckRequest.newBuilder().setService(SERVICE).build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void reflection_listsTheTokenizerService() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    names.complete(
                        value.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    List<String> listed = names.get(10, TimeUnit.SECONDS);
    requests.onCompleted();
    assertTrue(listed.contains(SERVICE), "listed: " + listed);
  }
}
