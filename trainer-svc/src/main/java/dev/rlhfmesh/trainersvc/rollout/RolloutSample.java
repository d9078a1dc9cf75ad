package dev.rlhfmesh.trainersvc.rollout;

/**
 * One scored rollout, ready for the learner (the orchestration's mirror of the learning core's
 * {@code Rollout}).
 *
 * @param prompt prompt ids, (P)
 * @param response generated ids, (R), including the end token when one ended it
 * @param behaviourLogprobs log π_behaviour of each response token, (R), nats
 * @param refLogprobs log π_ref of each response token, (R), nats
 * @param score sequence reward from reward-svc
 * @param endedWithEos whether the sample stopped on the end token (not on the length cap)
 * @param policyVersion learner version (not wire version) that generated it
 * @param group index of its prompt within the iteration (samples of one prompt share it)
 */
public record RolloutSample(
    int[] prompt,
    int[] response,
    float[] behaviourLogprobs,
    float[] refLogprobs,
    float score,
    boolean endedWithEos,
    long policyVersion,
    int group) {}
