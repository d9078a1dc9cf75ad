package dev.rlhfmesh.model.generate;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.KvCache;
import dev.rlhfmesh.model.gpt.NoGrad;
import dev.rlhfmesh.model.sampling.Sampler;
import dev.rlhfmesh.model.sampling.SamplingParams;
import dev.rlhfmesh.model.sampling.TokenChoice;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Step-level decoding over a slot-based {@link KvCache}, for a continuous-batching scheduler:
 * allocate a slot, {@link #prefill} its prompt, then {@link #decodeStep} any set of slots one token
 * at a time; free a slot when its sequence ends and reuse it for a new one between steps.
 *
 * <p>Every call runs in its own child {@link NDManager} that is closed before returning, so memory
 * stays flat however long decoding runs; results are plain Java arrays. Not thread-safe: one thread
 * drives an engine (run forward passes off the event loop).
 */
public final class DecodeEngine implements AutoCloseable {
  private final Gpt model;
  private final NDManager manager;
  private final KvCache cache;

  /**
   * @param model the decoder (inference mode)
   * @param maxSlots concurrent sequences
   * @param maxLen tokens per sequence (prompt + generated), at most n_positions
   */
  public DecodeEngine(Gpt model, int maxSlots, int maxLen) {
    this.model = model;
    this.manager = model.manager().newSubManager();
    this.cache = new KvCache(manager, model.config(), maxSlots, maxLen);
  }

  public Gpt model() {
    return model;
  }

  public KvCache cache() {
    return cache;
  }

  /** Takes a free slot (throws when none is free). */
  public int allocate() {
    return cache.allocate();
  }

  public void free(int slot) {
    cache.free(slot);
  }

  /** Tokens currently held by a slot. */
  public int length(int slot) {
    return cache.length(slot);
  }

  /** Feeds a whole prompt into an empty (or reset) slot; returns the next-token logits (V). */
  public float[] prefill(int slot, int[] promptIds) {
    return append(new int[] {slot}, new int[][] {promptIds})[0];
  }

  /** Batched prefill of several slots; returns next-token logits per slot (B, V). */
  public float[][] prefill(int[] slots, List<int[]> prompts) {
    return append(slots, prompts.toArray(new int[0][]));
  }

  /** One decoding step: appends {@code lastTokens[i]} to {@code slots[i]}; logits (B, V). */
  public float[][] decodeStep(int[] slots, int[] lastTokens) {
    int[][] tokens = new int[slots.length][];
    for (int i = 0; i < slots.length; i++) {
      tokens[i] = new int[] {lastTokens[i]};
    }
    return append(slots, tokens);
  }

  /** General form: appends {@code tokens[i]} (one or more) to {@code slots[i]}; logits (B, V). */
  public float[][] append(int[] slots, int[][] tokens) {
    if (slots.length != tokens.length) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " rows");
    }
    if (slots.length == 0) {
      return new float[0][];
    }
    try (NoGrad ng = NoGrad.enter();
        NDManager step = manager.newSubManager()) {
      float[] flat = model.nextLogitsFlat(step, cache, slots, tokens); // (B × V)
      int v = model.config().vocabSize();
      float[][] out = new float[slots.length][];
      for (int i = 0; i < slots.length; i++) {
        out[i] = Arrays.copyOfRange(flat, i * v, (i + 1) * v);
      }
      return out;
    }
  }

  /**
   * Generates continuations with continuous batching over the engine's slots: prompts wait for a
   * free slot, join between steps, and leave when they finish. Prompt i draws from its own
   * generator ({@link Sampler#rngsFor(SamplingParams, List, int)}), so the output for a prompt does
   * not depend on what else is being generated.
   *
   * @param prompts token ids, each non-empty and shorter than the cache's maxLen
   * @param eosId end-of-sequence id, or -1 for none
   */
  public List<Generation> generate(
      List<int[]> prompts, SamplingParams params, int maxNewTokens, int eosId) {
    int n = prompts.size();
    for (int[] p : prompts) {
      if (p.length == 0 || p.length >= cache.maxLen()) {
        throw new IllegalArgumentException(
            "prompt length " + p.length + " must be in [1, " + (cache.maxLen() - 1) + "]");
      }
    }
    Generation[] results = new Generation[n];
    SplittableRandom[] rngs = Sampler.rngsFor(params, prompts, 1);
    Deque<Integer> waiting = new ArrayDeque<>();
    for (int i = 0; i < n; i++) {
      waiting.add(i);
    }
    List<Active> active = new ArrayList<>();
    while (!waiting.isEmpty() || !active.isEmpty()) {
      // admit waiting prompts into free slots, prefilled together
      List<Active> joined = new ArrayList<>();
      while (!waiting.isEmpty() && cache.freeSlots() > 0) {
        int i = waiting.poll();
        joined.add(new Active(i, cache.allocate(), rngs[i], maxNewTokens));
      }
      if (!joined.isEmpty()) {
        int[] slots = joined.stream().mapToInt(a -> a.slot).toArray();
        int[][] toks = joined.stream().map(a -> prompts.get(a.index)).toArray(int[][]::new);
        float[][] logits = append(slots, toks);
        for (int j = 0; j < joined.size(); j++) {
          joined.get(j).accept(logits[j], params, eosId, cache);
        }
        active.addAll(joined);
      }
      retire(active, results);
      if (active.isEmpty()) {
        continue;
      }
      int[] slots = active.stream().mapToInt(a -> a.slot).toArray();
      int[] last = active.stream().mapToInt(Active::lastToken).toArray();
      float[][] logits = decodeStep(slots, last);
      for (int j = 0; j < active.size(); j++) {
        active.get(j).accept(logits[j], params, eosId, cache);
      }
      retire(active, results);
    }
    return Arrays.asList(results);
  }

  private void retire(List<Active> active, Generation[] results) {
    active.removeIf(
        a -> {
          if (a.finish == null) {
            return false;
          }
          results[a.index] = a.result();
          cache.free(a.slot);
          return true;
        });
  }

  /** One sequence being generated. */
  private static final class Active {
    final int index;
    final int slot;
    final SplittableRandom rng;
    final int maxNew;
    int[] tokens = new int[8];
    float[] logprobs = new float[8];
    float[] entropies = new float[8];
    int count;
    Generation.FinishReason finish;

    Active(int index, int slot, SplittableRandom rng, int maxNew) {
      this.index = index;
      this.slot = slot;
      this.rng = rng;
      this.maxNew = maxNew;
      if (maxNew <= 0) {
        finish = Generation.FinishReason.LENGTH;
      }
    }

    int lastToken() {
      return tokens[count - 1];
    }

    void accept(float[] logits, SamplingParams params, int eosId, KvCache cache) {
      if (finish != null) {
        return;
      }
      TokenChoice c = Sampler.choose(logits, params, rng);
      if (count == tokens.length) {
        tokens = Arrays.copyOf(tokens, count * 2);
        logprobs = Arrays.copyOf(logprobs, count * 2);
        entropies = Arrays.copyOf(entropies, count * 2);
      }
      tokens[count] = c.token();
      logprobs[count] = c.logprob();
      entropies[count] = c.entropy();
      count++;
      if (c.token() == eosId) {
        finish = Generation.FinishReason.STOP;
      } else if (count >= maxNew || cache.length(slot) >= cache.maxLen()) {
        finish = Generation.FinishReason.LENGTH;
      }
    }

    Generation result() {
      return new Generation(
          Arrays.copyOf(tokens, count),
          Arrays.copyOf(logprobs, count),
          Arrays.copyOf(entropies, count),
          finish);
    }
  }

  @Override
  public void close() {
    cache.close();
    manager.close();
  }
}
