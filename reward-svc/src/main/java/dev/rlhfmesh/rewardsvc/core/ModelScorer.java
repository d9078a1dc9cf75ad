package dev.rlhfmesh.rewardsvc.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the engine needs of a learned reward model: batched, asynchronous scoring of {@code prompt
 * ++ response} id sequences plus the limits to validate samples against.
 */
public interface ModelScorer {

  /** A sequence's score and the weight version that computed it. */
  record Scored(float score, long version) {}

  /** Queues sequences for the next forward pass; completes with one score each, in order. */
  CompletableFuture<List<Scored>> submit(List<int[]> sequences, CallContext context);

  /** Ids must lie in [0, vocabSize). */
  int vocabSize();

  /** Longest prompt + response the model reads, in tokens. */
  int maxTokens();

  /** The serving weight version. */
  long version();

  /** One line for ListRewards. */
  String description();
}
