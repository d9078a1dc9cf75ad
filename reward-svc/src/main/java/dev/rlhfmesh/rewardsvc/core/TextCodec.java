package dev.rlhfmesh.rewardsvc.core;

import java.util.List;

/**
 * Text ⇄ token ids for samples that arrive with only one of the two (tokenizer-svc in production, a
 * fake in tests). Implementations throw {@link dev.rlhfmesh.grpc.errors.ServiceException} (e.g.
 * UNAVAILABLE) when the tokenizer cannot answer.
 */
public interface TextCodec {

  /** Texts of the id lists, special tokens kept (rules strip a trailing end token themselves). */
  List<String> decode(List<int[]> sequences, CallContext context);

  /** Ids of the texts, no special tokens added. */
  List<int[]> encode(List<String> texts, CallContext context);

  /** The tokenizer's vocabulary size: ids sent for decoding must lie in [0, vocabSize). */
  int vocabSize(CallContext context);
}
