package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.proto.common.v1.ChatMessage;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;

/**
 * What the gateway needs from a tokenizer (the port): tokenizer-svc over gRPC ({@code
 * downstream.GrpcTokenizer}, the default) or the same tokenizer in-process ({@code
 * tokenize.LocalTokenizer}, with {@code rlhf.gateway.tokenizer-path}).
 */
public interface Tokenizer {
  /** Text → ids, without special tokens. */
  Uni<int[]> encode(String text, Duration timeout);

  /** Id lists → texts (special tokens dropped), one text per list, in order. */
  Uni<List<String>> decode(List<int[]> sequences, Duration timeout);

  /** Conversation → prompt ids, rendered with the chat template and the assistant header. */
  Uni<int[]> applyChatTemplate(List<ChatMessage> messages, Duration timeout);
}
