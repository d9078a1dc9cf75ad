package dev.rlhfmesh.trainersvc.rollout;

import java.util.List;
import java.util.Map;

/**
 * One iteration's rollouts.
 *
 * @param iteration 0-based iteration it was collected for
 * @param samples prompts × n scored samples, ordered by (prompt, sample)
 * @param oldestPolicyVersion the oldest learner version among its samples
 * @param metrics rollout-side metrics (reward_mean, kl, time_generate_ms, ...)
 */
public record RolloutBatch(
    int iteration,
    List<RolloutSample> samples,
    long oldestPolicyVersion,
    Map<String, Double> metrics) {}
