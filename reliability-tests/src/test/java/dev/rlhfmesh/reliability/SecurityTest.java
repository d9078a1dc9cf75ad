package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryRequest;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc.WeightAdminServiceBlockingStub;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc.GatewayServiceBlockingStub;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every admin rpc without a token or with a wrong one is UNAUTHENTICATED (model-svc and
 * reward-svc), every gateway route and rpc without a key or with a wrong one is 401 /
 * UNAUTHENTICATED except health and metrics, and — run last, after every other class — no
 * configured secret (nor the wrong ones presented here) appears in any service's log.
 */
@org.junit.jupiter.api.Order(Integer.MAX_VALUE)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityTest {
  static final String WRONG_TOKEN = "wrong-admin-token-0123456789";
  static final String WRONG_KEY = "wrong-api-key-0123456789";

  private static Mesh mesh;
  private static Stubs stubs;

  @BeforeAll
  static void start() {
    mesh = Mesh.get();
    stubs = new Stubs(mesh);
  }

  /**
   * Every admin rpc, as a call on a stub (the answer does not matter: it must be refused first).
   */
  static Map<String, Consumer<WeightAdminServiceBlockingStub>> adminCalls() {
    return Map.of(
        "BeginUpdate",
            s ->
                s.beginUpdate(
                    BeginUpdateRequest.newBuilder().setModel("policy").setVersion(99).build()),
        "CommitUpdate",
            s -> s.commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId("x").build()),
        "AbortUpdate", s -> s.abortUpdate(AbortUpdateRequest.newBuilder().setUpdateId("x").build()),
        "GetWeightVersion",
            s ->
                s.getWeightVersion(GetWeightVersionRequest.newBuilder().setModel("policy").build()),
        "LoadFromDirectory",
            s ->
                s.loadFromDirectory(
                    LoadFromDirectoryRequest.newBuilder()
                        .setModel("policy")
                        .setDirectory("/tmp")
                        .setVersion(99)
                        .build()));
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> adminRpcsRefuseMissingAndWrongTokens() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String svc : List.of("model-svc", "reward-svc")) {
      Channel ch = svc.equals("model-svc") ? stubs.modelAdminChannel() : stubs.rewardAdminChannel();
      for (String token : new String[] {null, WRONG_TOKEN, ""}) {
        String how = token == null ? "no token" : token.isEmpty() ? "empty token" : "wrong token";
        adminCalls()
            .forEach(
                (rpc, call) ->
                    tests.add(
                        DynamicTest.dynamicTest(
                            svc + " " + rpc + " with " + how,
                            () -> {
                              StatusRuntimeException e =
                                  assertThrows(
                                      StatusRuntimeException.class,
                                      () -> call.accept(Stubs.admin(ch, token)));
                              assertEquals(
                                  Status.Code.UNAUTHENTICATED,
                                  e.getStatus().getCode(),
                                  e.getMessage());
                            })));
        tests.add(
            DynamicTest.dynamicTest(
                svc + " UploadChunks with " + how,
                () -> {
                  StatusRuntimeException e =
                      assertThrows(
                          StatusRuntimeException.class,
                          () ->
                              Stubs.upload(
                                  ch,
                                  token,
                                  List.of(WeightChunk.newBuilder().setUpdateId("x").build())));
                  assertEquals(
                      Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e.getMessage());
                }));
      }
    }
    return tests.stream();
  }

  static Map<String, Consumer<GatewayServiceBlockingStub>> gatewayCalls() {
    ChatMessage hi = ChatMessage.newBuilder().setRole("user").setContent("hi").build();
    return Map.of(
        "Complete", s -> s.complete(CompleteRequest.newBuilder().setPrompt("hi").build()),
        "CompleteStream",
            s ->
                s.completeStream(CompleteStreamRequest.newBuilder().setPrompt("hi").build())
                    .forEachRemaining(x -> {}),
        "Chat", s -> s.chat(ChatRequest.newBuilder().addMessages(hi).build()),
        "ChatStream",
            s ->
                s.chatStream(ChatStreamRequest.newBuilder().addMessages(hi).build())
                    .forEachRemaining(x -> {}));
  }

  @TestFactory
  @Order(2)
  Stream<DynamicTest> gatewayGrpcRefusesMissingAndWrongKeys() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String key : new String[] {null, WRONG_KEY}) {
      gatewayCalls()
          .forEach(
              (rpc, call) ->
                  tests.add(
                      DynamicTest.dynamicTest(
                          rpc + (key == null ? " without key" : " with a wrong key"),
                          () -> {
                            StatusRuntimeException e =
                                assertThrows(
                                    StatusRuntimeException.class,
                                    () -> call.accept(stubs.gatewayWith(key)));
                            assertEquals(
                                Status.Code.UNAUTHENTICATED,
                                e.getStatus().getCode(),
                                e.getMessage());
                          })));
    }
    tests.add(
        DynamicTest.dynamicTest(
            "gRPC health needs no key",
            () ->
                assertEquals(
                    HealthCheckResponse.ServingStatus.SERVING,
                    HealthGrpc.newBlockingStub(mesh.gateway.channel())
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance())
                        .getStatus())));
    return tests.stream();
  }

  static List<HttpBadInputs.Row> routes() {
    byte[] completion =
        HttpBadInputs.json("{\"model\":\"policy\",\"prompt\":\"hi\",\"max_tokens\":2}");
    byte[] chat =
        HttpBadInputs.json(
            "{\"model\":\"policy\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2}");
    byte[] job = HttpBadInputs.json("{\"name\":\"x\",\"seed\":\"7\"}");
    return List.of(
        new HttpBadInputs.Row("POST", "/v1/completions", completion, 401, "completions"),
        new HttpBadInputs.Row("POST", "/v1/chat/completions", chat, 401, "chat"),
        new HttpBadInputs.Row("GET", "/v1/models", null, 401, "models"),
        new HttpBadInputs.Row("GET", "/v1/models/policy", null, 401, "model"),
        new HttpBadInputs.Row("POST", "/v1/jobs", job, 401, "start job"),
        new HttpBadInputs.Row("GET", "/v1/jobs", null, 401, "list jobs"),
        new HttpBadInputs.Row("GET", "/v1/jobs/job-1", null, 401, "get job"),
        new HttpBadInputs.Row("POST", "/v1/jobs/job-1/cancel", null, 401, "cancel job"),
        new HttpBadInputs.Row("GET", "/v1/jobs/job-1/checkpoints", null, 401, "checkpoints"),
        new HttpBadInputs.Row("GET", "/v1/jobs/job-1/events", null, 401, "job events"));
  }

  @TestFactory
  @Order(3)
  Stream<DynamicTest> gatewayHttpRefusesMissingAndWrongKeysButHealthIsOpen() {
    List<DynamicTest> tests = new ArrayList<>();
    for (String key : new String[] {null, WRONG_KEY, ""}) {
      for (HttpBadInputs.Row row : routes()) {
        tests.add(
            DynamicTest.dynamicTest(
                row.method()
                    + " "
                    + row.path()
                    + " with "
                    + (key == null ? "no key" : key.isEmpty() ? "empty key" : "a wrong key"),
                () -> {
                  var res = HttpBadInputs.send(mesh.gatewayHttpPort, row, key);
                  assertEquals(401, res.statusCode(), res.body());
                  assertTrue(
                      res.headers().firstValue("WWW-Authenticate").isPresent(),
                      "no WWW-Authenticate");
                }));
      }
    }
    for (String open : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/metrics")) {
      tests.add(
          DynamicTest.dynamicTest(
              "GET " + open + " needs no key",
              () -> {
                var res =
                    HttpBadInputs.send(
                        mesh.gatewayHttpPort,
                        new HttpBadInputs.Row("GET", open, null, 200, "open"),
                        null);
                assertEquals(200, res.statusCode(), res.body());
              }));
    }
    return tests.stream();
  }

  @Test
  @Order(4)
  void noSecretInAnyLog() throws Exception {
    String logs = mesh.allLogs();
    assertTrue(logs.length() > 1000, "logs are suspiciously empty: " + mesh.logDir());
    for (var e :
        Map.of(
                "admin token",
                mesh.adminToken,
                "API key",
                mesh.apiKey,
                "wrong admin token presented",
                WRONG_TOKEN,
                "wrong API key presented",
                WRONG_KEY)
            .entrySet()) {
      assertFalse(
          logs.contains(e.getValue()),
          "the " + e.getKey() + " appears in a log under " + mesh.logDir());
    }
    System.out.printf(
        "[reliability] secret grep: %d log bytes in %s, no token or key found%n",
        logs.length(), mesh.logDir());
  }
}
