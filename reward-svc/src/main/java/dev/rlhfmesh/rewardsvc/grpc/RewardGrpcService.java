package dev.rlhfmesh.rewardsvc.grpc;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.reward.v1.ListRewardsRequest;
import dev.rlhfmesh.proto.reward.v1.ListRewardsResponse;
import dev.rlhfmesh.proto.reward.v1.RewardBreakdown;
import dev.rlhfmesh.proto.reward.v1.RewardComponent;
import dev.rlhfmesh.proto.reward.v1.RewardKind;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardService;
import dev.rlhfmesh.proto.reward.v1.RewardSpecInfo;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.rewardsvc.RewardRuntime;
import dev.rlhfmesh.rewardsvc.core.CallContext;
import dev.rlhfmesh.rewardsvc.core.CompositeReward;
import dev.rlhfmesh.rewardsvc.core.RewardSpec;
import dev.rlhfmesh.rewardsvc.core.Sample;
import dev.rlhfmesh.rewardsvc.core.ScoreResult;
import io.grpc.Context;
import io.grpc.Deadline;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** gRPC adapter of reward-svc: proto ⇄ domain around {@link RewardRuntime#engine()}. */
@GrpcService
public class RewardGrpcService implements RewardService {
  @Inject RewardRuntime runtime;

  @Override
  @Blocking
  public Uni<ScoreResponse> score(ScoreRequest request) {
    CallContext context = callContext();
    return Uni.createFrom()
        .item(
            () -> {
              List<Sample> samples = new ArrayList<>(request.getSamplesCount());
              for (RewardSample s : request.getSamplesList()) {
                samples.add(toSample(s));
              }
              return toProto(runtime.engine().score(request.getReward(), samples, context));
            });
  }

  @Override
  public Uni<ListRewardsResponse> listRewards(ListRewardsRequest request) {
    ListRewardsResponse.Builder out = ListRewardsResponse.newBuilder();
    for (RewardSpec spec : runtime.engine().specs()) {
      RewardSpecInfo.Builder info =
          RewardSpecInfo.newBuilder().setName(spec.name()).setDescription(spec.description());
      if (spec instanceof CompositeReward c) {
        info.setKind(RewardKind.REWARD_KIND_COMPOSITE);
        c.parts().forEach(p -> info.addComponents(p.spec().name()));
      } else {
        info.setKind(
            spec instanceof RewardSpec.Model
                ? RewardKind.REWARD_KIND_MODEL
                : RewardKind.REWARD_KIND_RULE);
      }
      out.addRewards(info);
    }
    return Uni.createFrom().item(out.build());
  }

  /** The caller's deadline and cancellation, as the logic sees them. */
  private static CallContext callContext() {
    Context grpc = Context.current();
    Deadline deadline = grpc.getDeadline();
    long due =
        deadline == null
            ? Long.MAX_VALUE
            : System.nanoTime() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
    return new CallContext(grpc::isCancelled, due);
  }

  private static Sample toSample(RewardSample s) {
    return new Sample(
        ids(s.hasPrompt() ? s.getPrompt() : null),
        ids(s.hasResponse() ? s.getResponse() : null),
        emptyToNull(s.getPromptText()),
        emptyToNull(s.getResponseText()),
        emptyToNull(s.getReferenceAnswer()),
        s.getMetadataMap());
  }

  private static int[] ids(TokenIds t) {
    if (t == null || t.getIdsCount() == 0) {
      return null;
    }
    int[] out = new int[t.getIdsCount()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.getIds(i);
    }
    return out;
  }

  private static String emptyToNull(String s) {
    return s.isEmpty() ? null : s;
  }

  private static ScoreResponse toProto(ScoreResult r) {
    ScoreResponse.Builder out = ScoreResponse.newBuilder().setModelVersion(r.modelVersion());
    for (float v : r.rewards()) {
      out.addRewards(v);
    }
    for (ScoreResult.Breakdown b : r.breakdowns()) {
      RewardBreakdown.Builder pb = RewardBreakdown.newBuilder().setRawTotal(b.rawTotal());
      for (ScoreResult.Component c : b.components()) {
        pb.addComponents(
            RewardComponent.newBuilder()
                .setName(c.name())
                .setValue(c.value())
                .setWeight(c.weight()));
      }
      out.addBreakdowns(pb);
    }
    return out.build();
  }
}
