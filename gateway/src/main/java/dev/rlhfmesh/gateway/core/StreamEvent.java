package dev.rlhfmesh.gateway.core;

/** What a streaming generation emits: text deltas per choice, then the token totals once. */
public sealed interface StreamEvent {
  /**
   * New text of one choice: whole UTF-8 characters only. The choice's last delta carries its finish
   * reason (its text may be empty).
   */
  record Delta(int index, String text, String finishReason) implements StreamEvent {}

  /** Sent once, after every choice finished. */
  record Totals(int promptTokens, int completionTokens) implements StreamEvent {}
}
