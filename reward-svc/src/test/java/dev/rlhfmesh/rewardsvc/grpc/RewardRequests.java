package dev.rlhfmesh.rewardsvc.grpc;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;

/** Builders of Score requests for the gRPC tests. */
final class RewardRequests {
  private RewardRequests() {}

  static TokenIds ids(int... ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int id : ids) {
      b.addIds(id);
    }
    return b.build();
  }

  static RewardSample text(String response) {
    return RewardSample.newBuilder().setResponseText(response).build();
  }

  static RewardSample answer(String response, String reference) {
    return RewardSample.newBuilder()
        .setResponseText(response)
        .setReferenceAnswer(reference)
        .build();
  }

  /** Prompt and response as ids encoded by the fake tokenizer. */
  static RewardSample idsOf(String prompt, String response) {
    return RewardSample.newBuilder()
        .setPrompt(ids(FakeTokenizerService.encode(prompt)))
        .setResponse(ids(FakeTokenizerService.encode(response)))
        .build();
  }

  static ScoreRequest score(String spec, RewardSample... samples) {
    ScoreRequest.Builder b = ScoreRequest.newBuilder().setReward(spec);
    for (RewardSample s : samples) {
      b.addSamples(s);
    }
    return b.build();
  }
}
