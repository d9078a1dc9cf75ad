package dev.rlhfmesh.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.gateway.errors.RetryAfter;
import dev.rlhfmesh.gateway.fakes.FakeModel;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The public gRPC API over the network, with downstream fakes served by the test app. */
@QuarkusTest
class GatewayGrpcTest {
  @GrpcClient("self")
  Channel channel;

  private GatewayServiceGrpc.GatewayServiceBlockingStub stub() {
    return GatewayServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(new BearerTokenCredentials("test-key-1"));
  }

  @Test
  void health_isOpenWithoutKey() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService(GatewayServiceGrpc.SERVICE_NAME)
                    .build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void complete_returnsTextUsageAndPropagatesDeadline() {
    CompleteResponse r =
        stub()
            .withDeadlineAfter(3, TimeUnit.SECONDS)
            .complete(
                CompleteRequest.newBuilder()
                    .setModel("policy")
                    .setPrompt("Hello")
                    .setSampling(SamplingParams.newBuilder().setMaxNewTokens(32))
                    .build());
    assertEquals(FakeModel.REPLY, r.getChoices(0).getText());
    assertEquals("stop", r.getChoices(0).getFinishReason());
    assertEquals(5, r.getUsage().getPromptTokens());
    assertEquals(13, r.getUsage().getCompletionTokens());
    long downstream = FakeModel.LAST_DEADLINE_MS.get();
    assertTrue(downstream > 0 && downstream <= 3000, "downstream deadline " + downstream);
  }

  @Test
  void complete_propagatesTheCallersTraceContextDownstream() {
    // The caller's span is current on this thread; the test's instrumented client sends it as a
    // W3C traceparent, the gateway continues it and must pass it on to model-svc.
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    io.opentelemetry.api.trace.SpanContext caller =
        io.opentelemetry.api.trace.SpanContext.createFromRemoteParent(
            traceId,
            "00f067aa0ba902b7",
            io.opentelemetry.api.trace.TraceFlags.getSampled(),
            io.opentelemetry.api.trace.TraceState.getDefault());
    try (io.opentelemetry.context.Scope scope =
        io.opentelemetry.context.Context.root()
            .with(io.opentelemetry.api.trace.Span.wrap(caller))
            .makeCurrent()) {
      stub()
          .complete(
              CompleteRequest.newBuilder()
                  .setModel("policy")
                  .setPrompt("Hello")
                  .setSampling(SamplingParams.newBuilder().setMaxNewTokens(4))
                  .build());
    }
    assertEquals(traceId, FakeModel.LAST_TRACE_ID.get(), "model-svc sees the caller's trace");
  }

  @Test
  void completeStream_relaysWholeCharacters() {
    Iterator<CompleteStreamResponse> it =
        stub()
            .completeStream(
                CompleteStreamRequest.newBuilder()
                    .setModel("policy")
                    .setPrompt("Hello")
                    .setSampling(SamplingParams.newBuilder().setMaxNewTokens(32))
                    .build());
    StringBuilder text = new StringBuilder();
    String finish = "";
    int pieces = 0;
    while (it.hasNext()) {
      CompleteStreamResponse m = it.next();
      assertFalse(m.getTextDelta().contains("\uFFFD"), "half a character: " + m);
      text.append(m.getTextDelta());
      finish = m.getFinishReason();
      pieces++;
    }
    assertEquals(FakeModel.REPLY, text.toString());
    assertEquals("stop", finish);
    assertTrue(pieces > 3);
  }

  @Test
  void cancelledCall_cancelsTheDownstreamStream() throws InterruptedException {
    CountDownLatch cancelled = new CountDownLatch(1);
    FakeModel.slowCancelled = cancelled;
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(
        () -> {
          Iterator<CompleteStreamResponse> it =
              stub()
                  .completeStream(
                      CompleteStreamRequest.newBuilder()
                          .setModel("slow")
                          .setPrompt("x")
                          .setSampling(SamplingParams.newBuilder().setMaxNewTokens(1000))
                          .build());
          assertEquals("z", it.next().getTextDelta());
          assertEquals("z", it.next().getTextDelta());
        });
    ctx.cancel(null);
    assertTrue(cancelled.await(5, TimeUnit.SECONDS), "the model-svc stream was cancelled");
  }

  @Test
  void chatStream_answersAsAssistant() {
    Iterator<ChatStreamResponse> it =
        stub()
            .chatStream(
                ChatStreamRequest.newBuilder()
                    .setModel("policy")
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("echo:ok"))
                    .build());
    StringBuilder text = new StringBuilder();
    it.forEachRemaining(m -> text.append(m.getTextDelta()));
    assertEquals("ok", text.toString());
  }

  @Test
  void errors_mapToStatuses() {
    StatusRuntimeException noKey =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                GatewayServiceGrpc.newBlockingStub(channel)
                    .complete(CompleteRequest.newBuilder().setPrompt("x").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, noKey.getStatus().getCode());
    StatusRuntimeException wrongKey =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                GatewayServiceGrpc.newBlockingStub(channel)
                    .withCallCredentials(new BearerTokenCredentials("nope"))
                    .complete(CompleteRequest.newBuilder().setPrompt("x").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, wrongKey.getStatus().getCode());
    StatusRuntimeException unknown =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub()
                    .complete(
                        CompleteRequest.newBuilder().setModel("nope").setPrompt("x").build()));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    StatusRuntimeException bad =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub()
                    .complete(
                        CompleteRequest.newBuilder()
                            .setModel("policy")
                            .setPrompt("x")
                            .setSampling(SamplingParams.newBuilder().setTemperature(5))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertTrue(bad.getStatus().getDescription().contains("sampling.temperature"));
  }

  @Test
  void modelOverload_isResourceExhaustedWithRetryHint() {
    StatusRuntimeException busy =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub()
                    .complete(
                        CompleteRequest.newBuilder().setModel("busy").setPrompt("x").build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, busy.getStatus().getCode());
    String description = busy.getStatus().getDescription();
    assertTrue(description.startsWith(FakeModel.BUSY), description);
    assertTrue(description.endsWith("; retry after 1 s"), description);
    assertEquals("1", busy.getTrailers().get(RetryAfter.TRAILER));
    Iterator<CompleteStreamResponse> stream =
        stub()
            .completeStream(
                CompleteStreamRequest.newBuilder().setModel("busy").setPrompt("x").build());
    StatusRuntimeException streamed = assertThrows(StatusRuntimeException.class, stream::hasNext);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, streamed.getStatus().getCode());
    assertEquals("1", streamed.getTrailers().get(RetryAfter.TRAILER));
  }
}
