package dev.rlhfmesh.trainersvc.data;

/**
 * One labelled comparison as token ids (responses end with the end-of-sequence id).
 *
 * @param prompt prompt ids
 * @param chosen the preferred response
 * @param rejected the other response
 */
public record Preference(int[] prompt, int[] chosen, int[] rejected) {}
