package dev.rlhfmesh.trainersvc.jobs;

import java.util.Map;

/**
 * The orchestration half of a checkpoint (the learner saves its own weights, optimizer and KL
 * controller beside it).
 *
 * @param step completed steps (iterations for PPO)
 * @param dataCursor examples (or prompts) consumed so far; data order is a pure function of (seed,
 *     cursor), so this is all a resume needs to continue the same order
 * @param seed the job seed every per-step random stream is derived from
 * @param weightVersionBase wire version of learner version 0 on the replicas (PPO; 0 otherwise)
 * @param extra stage-specific values (e.g. running reward statistics)
 */
public record TrainerState(
    int step, long dataCursor, long seed, long weightVersionBase, Map<String, Double> extra) {
  public TrainerState {
    extra = extra == null ? Map.of() : Map.copyOf(extra);
  }
}
