package dev.rlhfmesh.trainersvc.data;

/**
 * One PPO prompt.
 *
 * @param text prompt text
 * @param ids its token ids
 * @param referenceAnswer expected answer for rule-based rewards, "" when none
 */
public record PromptExample(String text, int[] ids, String referenceAnswer) {}
