package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.trainersvc.data.Demonstration;
import dev.rlhfmesh.trainersvc.data.Preference;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes learners from specs: a fresh one, or one restored from a checkpoint directory ({@code
 * resume}). The one place the orchestration meets the learning core.
 */
public interface Learners {
  /**
   * @param vocabSize and {@code eosId}: the tokenizer's, for a seeded init when the spec has no
   *     model_dir
   */
  SupervisedLearner<Demonstration> sft(
      SftSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume);

  SupervisedLearner<Preference> rewardModel(
      RewardModelSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume);

  PolicyLearner ppo(PpoSpec spec, long seed, Optional<Path> resume);
}
