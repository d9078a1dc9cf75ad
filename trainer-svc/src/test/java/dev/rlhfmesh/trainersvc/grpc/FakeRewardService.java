package dev.rlhfmesh.trainersvc.grpc;

import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.trainersvc.data.AdditionTask;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicInteger;

/** Stand-in reward-svc: the gold addition rule on the texts the trainer sends. */
final class FakeRewardService extends RewardServiceGrpc.RewardServiceImplBase {
  static final AtomicInteger SCORED = new AtomicInteger();

  @Override
  public void score(ScoreRequest request, StreamObserver<ScoreResponse> out) {
    ScoreResponse.Builder r = ScoreResponse.newBuilder();
    for (RewardSample s : request.getSamplesList()) {
      r.addRewards((float) AdditionTask.goldScore(s.getPromptText(), s.getResponseText()));
      SCORED.incrementAndGet();
    }
    out.onNext(r.build());
    out.onCompleted();
  }
}
