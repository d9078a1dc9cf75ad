package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.proto.common.v1.ChatMessage;
import java.util.List;

/** What to continue: plain text, or a conversation rendered with the chat template. */
public sealed interface Prompt {
  /** A text prompt (completions). */
  record Text(String text) implements Prompt {}

  /** A conversation (chat); the answer is the assistant's next message. */
  record Chat(List<ChatMessage> messages) implements Prompt {}
}
