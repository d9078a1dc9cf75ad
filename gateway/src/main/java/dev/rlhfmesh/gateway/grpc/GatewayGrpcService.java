package dev.rlhfmesh.gateway.grpc;

import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.gateway.core.CompletionService;
import dev.rlhfmesh.gateway.core.FieldNames;
import dev.rlhfmesh.gateway.core.Generation;
import dev.rlhfmesh.gateway.core.GenerationRequest;
import dev.rlhfmesh.gateway.core.Prompt;
import dev.rlhfmesh.gateway.core.StreamEvent;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatResponse;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.Choice;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamResponse;
import dev.rlhfmesh.proto.gateway.v1.GatewayService;
import dev.rlhfmesh.proto.gateway.v1.Usage;
import io.grpc.Context;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * gRPC adapter of the public API: proto ⇄ {@link CompletionService}. The caller's deadline (capped
 * by {@code rlhf.gateway.request-timeout}) becomes the downstream deadline; a cancelled call
 * cancels the Uni/Multi and with it the downstream calls. Auth and rate limits: {@link
 * EdgeInterceptor}.
 */
@GrpcService
public class GatewayGrpcService implements GatewayService {
  @Inject CompletionService completions;
  @Inject GatewayConfig config;

  @Override
  public Uni<CompleteResponse> complete(CompleteRequest request) {
    GenerationRequest r =
        request(request.getModel(), new Prompt.Text(request.getPrompt()), request.getSampling());
    return completions
        .complete(r)
        .map(
            g ->
                CompleteResponse.newBuilder()
                    .setModel(g.model())
                    .addAllChoices(choices(g))
                    .setUsage(usage(g))
                    .build());
  }

  @Override
  public Multi<CompleteStreamResponse> completeStream(CompleteStreamRequest request) {
    GenerationRequest r =
        request(request.getModel(), new Prompt.Text(request.getPrompt()), request.getSampling());
    return deltas(r)
        .map(
            d ->
                CompleteStreamResponse.newBuilder()
                    .setIndex(d.index())
                    .setTextDelta(d.text())
                    .setFinishReason(d.finishReason() == null ? "" : d.finishReason())
                    .build());
  }

  @Override
  public Uni<ChatResponse> chat(ChatRequest request) {
    GenerationRequest r =
        request(
            request.getModel(), new Prompt.Chat(request.getMessagesList()), request.getSampling());
    return completions
        .complete(r)
        .map(
            g ->
                ChatResponse.newBuilder()
                    .setModel(g.model())
                    .addAllChoices(choices(g))
                    .setUsage(usage(g))
                    .build());
  }

  @Override
  public Multi<ChatStreamResponse> chatStream(ChatStreamRequest request) {
    GenerationRequest r =
        request(
            request.getModel(), new Prompt.Chat(request.getMessagesList()), request.getSampling());
    return deltas(r)
        .map(
            d ->
                ChatStreamResponse.newBuilder()
                    .setIndex(d.index())
                    .setTextDelta(d.text())
                    .setFinishReason(d.finishReason() == null ? "" : d.finishReason())
                    .build());
  }

  private Multi<StreamEvent.Delta> deltas(GenerationRequest r) {
    return completions.stream(r)
        .filter(e -> e instanceof StreamEvent.Delta)
        .map(e -> (StreamEvent.Delta) e);
  }

  private GenerationRequest request(String model, Prompt prompt, SamplingParams sampling) {
    return new GenerationRequest(model, prompt, sampling, timeout(), FieldNames.PROTO);
  }

  /** The caller's remaining deadline, capped by the configured request timeout. */
  private Duration timeout() {
    Duration cap = config.requestTimeout();
    Deadline d = Context.current().getDeadline();
    if (d == null) {
      return cap;
    }
    long ms = Math.max(1, d.timeRemaining(TimeUnit.MILLISECONDS));
    return ms < cap.toMillis() ? Duration.ofMillis(ms) : cap;
  }

  private static List<Choice> choices(Generation g) {
    return g.choices().stream()
        .map(
            c ->
                Choice.newBuilder()
                    .setIndex(c.index())
                    .setText(c.text())
                    .setFinishReason(c.finishReason())
                    .addAllLogprobs(c.logprobs())
                    .build())
        .toList();
  }

  private static Usage usage(Generation g) {
    return Usage.newBuilder()
        .setPromptTokens(g.promptTokens())
        .setCompletionTokens(g.completionTokens())
        .setTotalTokens(g.promptTokens() + g.completionTokens())
        .build();
  }
}
