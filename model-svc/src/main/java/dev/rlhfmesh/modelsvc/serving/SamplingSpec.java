package dev.rlhfmesh.modelsvc.serving;

import dev.rlhfmesh.model.sampling.SamplingParams;
import java.util.List;
import java.util.Set;

/**
 * Validated sampling settings of one request.
 *
 * @param params temperature, top-k, top-p and seed for model-core's sampler
 * @param maxNewTokens generated tokens per sample, at least 1
 * @param n samples per prompt
 * @param stopTokenIds ids that end a sample (kept in its output)
 * @param stopStrings texts that end a sample (the text is cut before them)
 * @param returnLogprobs whether per-token logprobs are reported
 * @param ignoreEos keep going past the model's end-of-sequence token
 */
public record SamplingSpec(
    SamplingParams params,
    int maxNewTokens,
    int n,
    Set<Integer> stopTokenIds,
    List<String> stopStrings,
    boolean returnLogprobs,
    boolean ignoreEos) {
  public SamplingSpec {
    stopTokenIds = Set.copyOf(stopTokenIds);
    stopStrings = List.copyOf(stopStrings);
  }
}
