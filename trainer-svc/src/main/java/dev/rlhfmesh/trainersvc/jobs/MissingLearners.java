package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.trainersvc.data.Demonstration;
import dev.rlhfmesh.trainersvc.data.Preference;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Stands in until the learning core (package {@code dev.rlhfmesh.trainersvc.learn}) is merged: a
 * job that reaches its learner fails with UNIMPLEMENTED saying so.
 */
public final class MissingLearners implements Learners {
  private static ServiceException missing(String what) {
    return ServiceException.unimplemented(
        what + " learner is not built yet in trainer-svc (issue #6: the learning core)");
  }

  @Override
  public SupervisedLearner<Demonstration> sft(
      SftSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume) {
    throw missing("the SFT");
  }

  @Override
  public SupervisedLearner<Preference> rewardModel(
      RewardModelSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume) {
    throw missing("the reward-model");
  }

  @Override
  public PolicyLearner ppo(PpoSpec spec, long seed, Optional<Path> resume) {
    throw missing("the PPO");
  }
}
