package dev.rlhfmesh.rewardsvc.core;

/**
 * Request limits the engine enforces before it scores anything.
 *
 * @param maxSamples most samples per Score call
 * @param maxSampleTokens most prompt or response ids per sample
 * @param maxSampleChars most characters of prompt or response text per sample
 * @param endToken end-of-sequence text stripped from the end of response texts ("" for none)
 */
public record Limits(int maxSamples, int maxSampleTokens, int maxSampleChars, String endToken) {}
