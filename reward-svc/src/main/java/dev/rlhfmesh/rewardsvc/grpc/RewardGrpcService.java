package dev.rlhfmesh.rewardsvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.reward.v1.ListRewardsRequest;
import dev.rlhfmesh.proto.reward.v1.ListRewardsResponse;
import dev.rlhfmesh.proto.reward.v1.RewardService;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of reward-svc. Not built yet: every RPC says so (issue #5). */
@GrpcService
public class RewardGrpcService implements RewardService {
  private static final String NOT_BUILT =
      " is not built yet in reward-svc (tracked by issue #5: reward scoring)";

  @Override
  public Uni<ScoreResponse> score(ScoreRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Score" + NOT_BUILT));
  }

  @Override
  public Uni<ListRewardsResponse> listRewards(ListRewardsRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("ListRewards" + NOT_BUILT));
  }
}
