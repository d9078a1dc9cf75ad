package dev.rlhfmesh.gateway.downstream;

import dev.rlhfmesh.gateway.core.Tokenizer;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateResponse;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceStub;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link Tokenizer} over tokenizer-svc ({@code quarkus.grpc.clients.tokenizer.*}), the default.
 * Only a bean of its own type: {@code tokenize.TokenizerChoice} decides whether the gateway uses it
 * or the in-process tokenizer.
 */
@ApplicationScoped
@Typed(GrpcTokenizer.class)
public class GrpcTokenizer implements Tokenizer {
  @GrpcClient("tokenizer")
  Channel channel;

  @Override
  public Uni<int[]> encode(String text, Duration timeout) {
    EncodeRequest req = EncodeRequest.newBuilder().addTexts(text).build();
    return Retry.onceIfUnavailable(
            () -> GrpcCalls.<EncodeResponse>cancellableUnary(o -> stub(timeout).encode(req, o)))
        .map(r -> toArray(r.getSequences(0)));
  }

  @Override
  public Uni<List<String>> decode(List<int[]> sequences, Duration timeout) {
    DecodeRequest.Builder b = DecodeRequest.newBuilder().setSkipSpecialTokens(true);
    for (int[] s : sequences) {
      b.addSequences(tokenIds(s));
    }
    DecodeRequest req = b.build();
    return Retry.onceIfUnavailable(
            () -> GrpcCalls.<DecodeResponse>cancellableUnary(o -> stub(timeout).decode(req, o)))
        .map(r -> r.getTextsList());
  }

  @Override
  public Uni<int[]> applyChatTemplate(List<ChatMessage> messages, Duration timeout) {
    ApplyChatTemplateRequest req =
        ApplyChatTemplateRequest.newBuilder()
            .addAllMessages(messages)
            .setAddGenerationPrompt(true)
            .setTokenize(true)
            .build();
    return Retry.onceIfUnavailable(
            () ->
                GrpcCalls.<ApplyChatTemplateResponse>cancellableUnary(
                    o -> stub(timeout).applyChatTemplate(req, o)))
        .map(r -> toArray(r.getIds()));
  }

  private TokenizerServiceStub stub(Duration timeout) {
    return TokenizerServiceGrpc.newStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  static int[] toArray(TokenIds ids) {
    return ids.getIdsList().stream().mapToInt(Integer::intValue).toArray();
  }

  static TokenIds tokenIds(int[] ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int id : ids) {
      b.addIds(id);
    }
    return b.build();
  }
}
