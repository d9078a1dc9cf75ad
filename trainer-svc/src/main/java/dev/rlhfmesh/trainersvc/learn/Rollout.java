package dev.rlhfmesh.trainersvc.learn;

/**
 * One sampled response: what the rollout workers collected.
 *
 * @param prompt (P) prompt token ids, P ≥ 1
 * @param response (R) generated token ids, the EOS token included when it was produced
 * @param behaviourLogprobs (R) log-probabilities from Generate at T = 1 (the behaviour policy);
 *     used only for the staleness diagnostic — the learner recomputes old logprobs itself
 * @param refLogprobs (R) log-probabilities of the response under the frozen reference model (from
 *     ScoreSequences)
 * @param score sequence reward from reward-svc
 * @param endedWithEos whether the response ended with EOS (false: cut at the length limit); the
 *     no-EOS penalty depends on this flag, never on token ids
 * @param policyVersion the policy version that generated it
 * @param group prompt index: samples of one prompt share it (GRPO/RLOO)
 */
public record Rollout(
    int[] prompt,
    int[] response,
    float[] behaviourLogprobs,
    float[] refLogprobs,
    float score,
    boolean endedWithEos,
    long policyVersion,
    int group) {

  public Rollout {
    if (prompt == null || prompt.length == 0) {
      throw new IllegalArgumentException("rollout prompt is empty");
    }
    if (response == null || refLogprobs == null || refLogprobs.length != response.length) {
      throw new IllegalArgumentException("refLogprobs must have one value per response token");
    }
    if (behaviourLogprobs != null && behaviourLogprobs.length != response.length) {
      throw new IllegalArgumentException(
          "behaviourLogprobs must have one value per response token");
    }
  }
}
