package dev.rlhfmesh.trainersvc.learn;

/**
 * One preference: the same prompt with a preferred and a dispreferred response.
 *
 * @param prompt (P) token ids, P ≥ 1
 * @param chosen (Rc) preferred response ids
 * @param rejected (Rr) dispreferred response ids
 */
public record PreferencePair(int[] prompt, int[] chosen, int[] rejected) {}
