package dev.rlhfmesh.reliability;

import static dev.rlhfmesh.reliability.GrpcBadInputs.*;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.reliability.GrpcBadInputs.Row;
import dev.rlhfmesh.reliability.GrpcBadInputs.Target;
import java.util.List;

/** Bad-input rows of reward-svc and the gateway gRPC API (see {@link GrpcBadInputs}). */
final class EdgeBadInputs {
  private EdgeBadInputs() {}

  static void reward(List<Row> r, Mesh mesh) {
    Target t;
    String token = mesh.adminToken;
    t = Target.REWARD;
    r.add(
        new Row(
            t,
            "Score",
            "unknown spec",
            NOT_FOUND,
            s -> s.reward().score(score("no-such-spec", sample("2")))));
    r.add(
        new Row(
            t,
            "Score",
            "no spec name",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("", sample("2")))));
    r.add(
        new Row(
            t,
            "Score",
            "no samples",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("exact-answer"))));
    r.add(
        new Row(
            t,
            "Score",
            "1025 samples (max-samples)",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            java.util.Collections.nCopies(1025, sample("2"))
                                .toArray(RewardSample[]::new)))));
    r.add(
        new Row(
            t,
            "Score",
            "empty response",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            RewardSample.newBuilder()
                                .setPromptText("1+1=")
                                .setReferenceAnswer("2")
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "exact match without reference",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            RewardSample.newBuilder().setResponseText("2").build()))));
    r.add(
        new Row(
            t,
            "Score",
            "negative response id",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(ids(1))
                                .setResponse(ids(2, -3))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "response id past the reward model's vocab",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(ids(1))
                                .setResponse(ids(2, 1 << 20))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "prompt + response longer than n_positions",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(manyIds(60))
                                .setResponse(manyIds(60))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "response text of 65537 chars",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("exact-answer", sample(text(65_537))))));
    r.add(
        new Row(
            t,
            "Score",
            "message over 64 MiB",
            RESOURCE_EXHAUSTED,
            s -> s.reward().score(score("exact-answer", sample(text(OVER_SERVICE_LIMIT))))));
  }

  static void gateway(List<Row> r, Mesh mesh) {
    Target t;
    String token = mesh.adminToken;
    t = Target.GATEWAY;
    CompleteRequest c =
        CompleteRequest.newBuilder().setModel("policy").setPrompt("1+1=").setSampling(OK).build();
    r.add(
        new Row(
            t,
            "Complete",
            "unknown model",
            NOT_FOUND,
            s -> s.gateway().complete(c.toBuilder().setModel("no-such-model").build())));
    r.add(
        new Row(
            t,
            "Complete",
            "temperature NaN",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setTemperature(Float.NaN)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "temperature -Inf",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setTemperature(Float.NEGATIVE_INFINITY)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "max_new_tokens 100000",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setMaxNewTokens(100_000)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "n 1000",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(c.toBuilder().setSampling(sampling(b -> b.setN(1000))).build())));
    r.add(
        new Row(
            t,
            "Complete",
            "5 stop strings (max-stop 4)",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(
                                sampling(
                                    b -> b.addAllStopStrings(List.of("a", "b", "c", "d", "e"))))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "prompt of 65537 chars",
            INVALID_ARGUMENT,
            s -> s.gateway().complete(c.toBuilder().setPrompt(text(65_537)).build())));
    r.add(
        new Row(
            t,
            "Complete",
            "message over 1 MiB",
            RESOURCE_EXHAUSTED,
            s -> s.gateway().complete(c.toBuilder().setPrompt(text(OVER_GATEWAY_LIMIT)).build())));
    r.add(
        new Row(
            t,
            "CompleteStream",
            "top_p 2",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .completeStream(
                        CompleteStreamRequest.newBuilder()
                            .setModel("policy")
                            .setPrompt("x")
                            .setSampling(sampling(b -> b.setTopP(2f)))
                            .build())
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "CompleteStream",
            "unknown model",
            NOT_FOUND,
            s ->
                s.gateway()
                    .completeStream(
                        CompleteStreamRequest.newBuilder()
                            .setModel("nope")
                            .setPrompt("x")
                            .setSampling(OK)
                            .build())
                    .forEachRemaining(x -> {})));
    ChatRequest chat =
        ChatRequest.newBuilder()
            .setModel("policy")
            .addMessages(msg("user", "hi"))
            .setSampling(OK)
            .build();
    r.add(
        new Row(
            t,
            "Chat",
            "no messages",
            INVALID_ARGUMENT,
            s -> s.gateway().chat(chat.toBuilder().clearMessages().build())));
    r.add(
        new Row(
            t,
            "Chat",
            "unknown role",
            INVALID_ARGUMENT,
            s -> s.gateway().chat(chat.toBuilder().addMessages(msg("root", "x")).build())));
    r.add(
        new Row(
            t,
            "Chat",
            "257 messages (max-messages 256)",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .chat(
                        chat.toBuilder()
                            .addAllMessages(java.util.Collections.nCopies(257, msg("user", "x")))
                            .build())));
    r.add(
        new Row(
            t,
            "ChatStream",
            "temperature +Inf",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .chatStream(
                        ChatStreamRequest.newBuilder()
                            .setModel("policy")
                            .addMessages(msg("user", "hi"))
                            .setSampling(sampling(b -> b.setTemperature(Float.POSITIVE_INFINITY)))
                            .build())
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "ChatStream",
            "message over 1 MiB",
            RESOURCE_EXHAUSTED,
            s ->
                s.gateway()
                    .chatStream(
                        ChatStreamRequest.newBuilder()
                            .setModel("policy")
                            .addMessages(msg("user", text(OVER_GATEWAY_LIMIT)))
                            .build())
                    .forEachRemaining(x -> {})));
  }
}
