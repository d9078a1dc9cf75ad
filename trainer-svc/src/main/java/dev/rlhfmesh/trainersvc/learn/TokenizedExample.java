package dev.rlhfmesh.trainersvc.learn;

/**
 * One SFT demonstration; the loss counts the response tokens only.
 *
 * @param prompt (P) token ids, P ≥ 1
 * @param response (R) token ids, ending with EOS when the model should learn to stop
 */
public record TokenizedExample(int[] prompt, int[] response) {}
