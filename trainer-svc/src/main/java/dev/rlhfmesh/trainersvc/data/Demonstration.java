package dev.rlhfmesh.trainersvc.data;

/**
 * One SFT example as token ids.
 *
 * @param prompt prompt ids (loss is not taken on them)
 * @param response response ids, ending with the end-of-sequence id
 */
public record Demonstration(int[] prompt, int[] response) {}
