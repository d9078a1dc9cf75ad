package dev.rlhfmesh.trainersvc.rollout;

/**
 * The downstream clients one PPO job uses: the policy replicas (Generate, ScoreSequences), their
 * admin ports (weight sync) and reward-svc. Closed when the job ends.
 */
public record RolloutServices(
    ReplicaPool pool, WeightSync sync, RewardScorer rewards, int scoreBatch)
    implements AutoCloseable {
  @Override
  public void close() {
    pool.close();
    sync.close();
  }
}
