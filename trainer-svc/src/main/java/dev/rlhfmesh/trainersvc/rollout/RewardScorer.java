package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** reward-svc {@code Score}, in batches of at most {@code maxBatch}, retried on UNAVAILABLE. */
public final class RewardScorer {
  private final Channel channel;
  private final Duration timeout;
  private final int maxAttempts;
  private final int maxBatch;

  public RewardScorer(Channel channel, Duration timeout, int maxAttempts, int maxBatch) {
    this.channel = channel;
    this.timeout = timeout;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.maxBatch = Math.max(1, maxBatch);
  }

  /** One reward per sample, in order. */
  public float[] score(String reward, List<RewardSample> samples) {
    float[] out = new float[samples.size()];
    for (int from = 0; from < samples.size(); from += maxBatch) {
      List<RewardSample> part = samples.subList(from, Math.min(samples.size(), from + maxBatch));
      ScoreResponse r =
          call(ScoreRequest.newBuilder().setReward(reward).addAllSamples(part).build());
      if (r.getRewardsCount() != part.size()) {
        throw new IllegalStateException(
            "reward-svc returned "
                + r.getRewardsCount()
                + " rewards for "
                + part.size()
                + " samples");
      }
      for (int i = 0; i < part.size(); i++) {
        out[from + i] = r.getRewards(i);
      }
    }
    return out;
  }

  private ScoreResponse call(ScoreRequest request) {
    for (int attempt = 1; ; attempt++) {
      try {
        return RewardServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .score(request);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || attempt >= maxAttempts) {
          throw e;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }
}
