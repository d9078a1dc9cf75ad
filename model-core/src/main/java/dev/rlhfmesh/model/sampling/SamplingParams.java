package dev.rlhfmesh.model.sampling;

/**
 * How to pick the next token.
 *
 * @param temperature 0 = greedy (argmax); otherwise logits are divided by it before sampling
 * @param topK keep only the k most likely tokens; 0 = off
 * @param topP keep the smallest set of most likely tokens whose probability reaches p; 1 = off
 * @param seed request seed; sample i of a request draws from its own generator seeded with (seed,
 *     i), so results do not depend on batch composition or scheduling
 */
public record SamplingParams(double temperature, int topK, double topP, long seed) {
  public SamplingParams {
    if (!(temperature >= 0) || topK < 0 || !(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException(
          "need temperature >= 0, topK >= 0, 0 < topP <= 1: " + this);
    }
  }

  public static SamplingParams greedy() {
    return new SamplingParams(0, 0, 1, 0);
  }

  public static SamplingParams ofTemperature(double temperature, long seed) {
    return new SamplingParams(temperature, 0, 1, seed);
  }

  public boolean isGreedy() {
    return temperature == 0;
  }
}
