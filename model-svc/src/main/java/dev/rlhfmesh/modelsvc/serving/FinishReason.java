package dev.rlhfmesh.modelsvc.serving;

/** Why a sample stopped (the contract's FinishReason without UNSPECIFIED). */
public enum FinishReason {
  /** max_new_tokens reached or the context is full. */
  LENGTH,
  /** A stop token id or stop string was produced. */
  STOP,
  /** The model's end-of-sequence token was produced. */
  EOS,
  /** The call was cancelled or its deadline passed. */
  CANCELLED
}
