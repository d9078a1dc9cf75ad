package dev.rlhfmesh.model.sampling;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits on the CPU (float[] per sequence): greedy, temperature, top-k, top-p.
 * Each sequence has its own {@link SplittableRandom} from {@link #rngsFor(SamplingParams, List,
 * int)}, so the same seed gives the same tokens whatever else is in the batch.
 */
public final class Sampler {
  private Sampler() {}

  /**
   * One generator per sequence of a request, prompt-major ({@code n} samples per prompt), each
   * keyed by the seed, the prompt's tokens and the sample's ordinal among that prompt's samples in
   * the request. So the same seed and prompt give the same tokens whatever else is in the batch,
   * while different prompts — and repeats of one prompt — draw independent random numbers. (Keyed
   * by the sample index alone, every prompt of a batch would draw the same numbers and make the
   * same kind of sampling mistake at once.)
   */
  public static SplittableRandom[] rngsFor(SamplingParams params, List<int[]> prompts, int n) {
    SplittableRandom[] out = new SplittableRandom[prompts.size() * n];
    Map<PromptKey, Integer> repeats = new HashMap<>();
    for (int p = 0; p < prompts.size(); p++) {
      int[] prompt = prompts.get(p);
      int earlier = repeats.merge(new PromptKey(prompt), 1, Integer::sum) - 1;
      long key = promptHash(prompt);
      for (int s = 0; s < n; s++) {
        long ordinal = (long) earlier * n + s;
        out[p * n + s] =
            new SplittableRandom(
                params.seed() * 0x9E3779B97F4A7C15L + key + ordinal * 0xC2B2AE3D27D4EB4FL);
      }
    }
    return out;
  }

  /** A well-mixed 64-bit hash of a prompt's tokens (murmur3's finaliser per token). */
  private static long promptHash(int[] prompt) {
    long h = 0x243F6A8885A308D3L ^ prompt.length;
    for (int t : prompt) {
      h ^= t;
      h *= 0xFF51AFD7ED558CCDL;
      h ^= h >>> 33;
      h *= 0xC4CEB9FE1A85EC53L;
      h ^= h >>> 33;
    }
    return h;
  }

  /** Prompt tokens compared by value. */
  private record PromptKey(int[] tokens) {
    @Override
    public boolean equals(Object o) {
      return o instanceof PromptKey k && Arrays.equals(tokens, k.tokens);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(tokens);
    }
  }

  /**
   * Chooses a token from one row of logits; logprob and entropy are those of the raw distribution.
   */
  public static TokenChoice choose(float[] logits, SamplingParams p, SplittableRandom rng) {
    return choose(logits, SoftmaxRows.of(logits, 1, logits.length), 0, p, rng);
  }

  /**
   * Chooses row {@code row}'s token of a step's flat logits (B × V) from their softmax numerators
   * ({@link SoftmaxRows}, one call for the whole step). Logprob and entropy are those of the raw
   * distribution. One pass of exponentials serves everything at temperature 1: with {@code e_i =
   * exp(l_i - max)} and {@code Z = sum e_i}, a token's logprob is {@code l_i - max - log Z}, the
   * entropy {@code log Z - sum e_i (l_i - max) / Z}, and the {@code e_i} are the sampling weights.
   */
  public static TokenChoice choose(
      float[] flat, SoftmaxRows soft, int row, SamplingParams p, SplittableRandom rng) {
    int v = soft.vocab();
    int from = row * v;
    float max = soft.max(row);
    double z = soft.z(row);
    double logZ = Math.log(z);
    int token;
    if (p.isGreedy()) {
      token = argmax(flat, from, v);
    } else if (p.temperature() == 1.0 && p.topK() <= 0 && p.topP() >= 1) {
      token = drawAll(soft.weights(), from, v, z, rng);
    } else { // unnormalised (tempered) probabilities, then top-k / top-p
      double[] w = new double[v];
      double total = 0;
      double invT = 1.0 / p.temperature();
      for (int i = 0; i < v; i++) {
        w[i] =
            p.temperature() == 1.0
                ? soft.weights()[from + i]
                : Math.exp((flat[from + i] - max) * invT);
        total += w[i];
      }
      token = sample(w, total, p, rng);
    }
    double logprob = (flat[from + token] - max) - logZ;
    return new TokenChoice(token, (float) logprob, (float) (logZ - soft.dot(row) / z));
  }

  public static int argmax(float[] logits) {
    return argmax(logits, 0, logits.length);
  }

  private static int argmax(float[] logits, int from, int v) {
    int best = 0;
    for (int i = 1; i < v; i++) {
      if (logits[from + i] > logits[from + best]) {
        best = i;
      }
    }
    return best;
  }

  /**
   * Draws from every token by weight, in id order ({@code total}: the weights' sum, as summed by
   * {@link SoftmaxRows}; when rounding leaves the draw past the last partial sum, the last token
   * with a weight is taken).
   */
  private static int drawAll(float[] w, int from, int v, double total, SplittableRandom rng) {
    double u = rng.nextDouble() * total;
    double acc = 0;
    int lastWeighted = 0;
    for (int i = 0; i < v; i++) {
      float x = w[from + i];
      acc += x;
      if (u < acc) {
        return i;
      }
      if (x > 0) {
        lastWeighted = i;
      }
    }
    return lastWeighted;
  }

  /** Draws from unnormalised weights {@code w} (summing to {@code total}) after top-k / top-p. */
  private static int sample(double[] w, double total, SamplingParams p, SplittableRandom rng) {
    if (p.topK() <= 0 && p.topP() >= 1) { // every token is a candidate, in id order
      double u = rng.nextDouble() * total;
      double acc = 0;
      for (int i = 0; i < w.length; i++) {
        acc += w[i];
        if (u < acc) {
          return i;
        }
      }
      return w.length - 1;
    }
    int[] candidates = candidates(w, total, p);
    double mass = 0;
    for (int c : candidates) {
      mass += w[c];
    }
    double u = rng.nextDouble() * mass;
    double acc = 0;
    for (int c : candidates) {
      acc += w[c];
      if (u < acc) {
        return c;
      }
    }
    return candidates[candidates.length - 1];
  }

  /**
   * Token ids kept by top-k and top-p, most likely first. Top-p sorts only the tokens above a
   * threshold that is lowered until their mass reaches p: they are a prefix of the full sorted
   * order, so the result is exact without sorting the whole vocabulary.
   */
  static int[] candidates(double[] w, double total, SamplingParams p) {
    int v = w.length;
    boolean useK = p.topK() > 0 && p.topK() < v;
    boolean useP = p.topP() < 1;
    if (!useK && !useP) {
      int[] all = new int[v];
      Arrays.setAll(all, i -> i);
      return all;
    }
    double maxW = 0;
    for (double x : w) {
      maxW = Math.max(maxW, x);
    }
    int[] kept = null;
    double threshold = maxW / 64;
    while (true) {
      int n = 0;
      double mass = 0;
      for (double x : w) {
        if (x >= threshold) {
          n++;
          mass += x;
        }
      }
      boolean enoughForK = !useK || n >= p.topK();
      boolean enoughForP = !useP || mass >= p.topP() * total;
      if ((enoughForK && enoughForP) || threshold == 0) {
        kept = new int[n];
        int j = 0;
        for (int i = 0; i < v; i++) {
          if (w[i] >= threshold) {
            kept[j++] = i;
          }
        }
        break;
      }
      threshold = threshold < 1e-30 ? 0 : threshold / 64;
    }
    sortByWeightDesc(kept, w);
    int n = kept.length;
    if (useK) {
      n = Math.min(n, p.topK());
    }
    if (useP) {
      double acc = 0;
      for (int i = 0; i < n; i++) {
        acc += w[kept[i]];
        if (acc >= p.topP() * total) {
          n = i + 1;
          break;
        }
      }
    }
    return Arrays.copyOf(kept, n);
  }

  private static void sortByWeightDesc(int[] ids, double[] w) {
    long[] packed = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      // weights are >= 0, so their IEEE bits order like the values; the id breaks ties (lower
      // first)
      float f = (float) w[ids[i]];
      packed[i] = ((long) Float.floatToIntBits(f) << 32) | (0xFFFFFFFFL - ids[i]);
    }
    Arrays.sort(packed);
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (int) (0xFFFFFFFFL - (packed[ids.length - 1 - i] & 0xFFFFFFFFL));
    }
  }
}
