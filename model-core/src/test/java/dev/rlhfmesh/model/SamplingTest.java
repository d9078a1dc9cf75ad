package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.generate.Generation;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.Sampler;
import dev.rlhfmesh.model.sampling.SamplingParams;
import dev.rlhfmesh.model.sampling.TokenChoice;
import dev.rlhfmesh.model.scoring.SequenceScorer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplingTest {
  private static final float[] LOGITS = {2f, 1f, 0.5f, -1f, 3f, 0f};

  @Test
  void greedy_picksArgmaxAndReportsRawLogprob() {
    TokenChoice c = Sampler.choose(LOGITS, SamplingParams.greedy(), new SplittableRandom(1));
    assertEquals(4, c.token());
    double z = 0;
    for (float l : LOGITS) {
      z += Math.exp(l);
    }
    assertEquals(3 - Math.log(z), c.logprob(), 1e-6);
  }

  @Test
  void choose_reportsRawLogprobAndEntropyAtAnyTemperature_evenWithMaskedLogits() {
    float[] logits = {2f, Float.NEGATIVE_INFINITY, 0.5f, -1f, 3f, Float.NEGATIVE_INFINITY};
    double z = 0;
    for (float l : logits) {
      z += Math.exp(l);
    }
    double entropy = 0;
    for (float l : logits) {
      double prob = Math.exp(l) / z;
      entropy -= prob > 0 ? prob * Math.log(prob) : 0;
    }
    for (double temperature : new double[] {1.0, 0.5, 2.0}) {
      SamplingParams p = SamplingParams.ofTemperature(temperature, 5);
      SplittableRandom r = new SplittableRandom(5);
      for (int i = 0; i < 200; i++) {
        TokenChoice c = Sampler.choose(logits, p, r);
        assertTrue(c.token() != 1 && c.token() != 5, "a masked token was drawn: " + c.token());
        assertEquals(logits[c.token()] - Math.log(z), c.logprob(), 1e-6);
        assertEquals(entropy, c.entropy(), 1e-6);
      }
    }
  }

  @Test
  void topK_neverLeavesTheKBest() {
    SamplingParams p = new SamplingParams(5.0, 2, 1.0, 3);
    SplittableRandom r = Sampler.rngsFor(p, List.of(new int[] {1}), 1)[0];
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(Sampler.choose(LOGITS, p, r).token());
    }
    assertEquals(Set.of(0, 4), seen);
  }

  @Test
  void topP_keepsSmallestNucleus() {
    // probabilities ∝ e^l: token 4 ≈ 0.605, token 0 ≈ 0.222 -> top-p 0.7 keeps {4, 0}
    SamplingParams p = new SamplingParams(1.0, 0, 0.7, 4);
    SplittableRandom r = Sampler.rngsFor(p, List.of(new int[] {1}), 1)[0];
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 500; i++) {
      seen.add(Sampler.choose(LOGITS, p, r).token());
    }
    assertEquals(Set.of(0, 4), seen);
    SamplingParams tight = new SamplingParams(1.0, 0, 0.6, 4);
    for (int i = 0; i < 50; i++) {
      assertEquals(4, Sampler.choose(LOGITS, tight, r).token());
    }
  }

  @Test
  void temperature_matchesDistribution() {
    SamplingParams p = SamplingParams.ofTemperature(1.0, 9);
    SplittableRandom r = Sampler.rngsFor(p, List.of(new int[] {1}), 1)[0];
    int n = 20000;
    int fours = 0;
    for (int i = 0; i < n; i++) {
      fours += Sampler.choose(LOGITS, p, r).token() == 4 ? 1 : 0;
    }
    double z = 0;
    for (float l : LOGITS) {
      z += Math.exp(l);
    }
    assertEquals(Math.exp(3) / z, fours / (double) n, 0.015);
  }

  @Test
  void sameSeed_sameTokensWhateverTheBatch_andScorerAgreesWithGenerate() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, TinyModels.tiny(), 31);
        DecodeEngine engine = new DecodeEngine(model, 3, 48)) {
      SamplingParams p = new SamplingParams(1.0, 10, 0.95, 77);
      List<int[]> prompts =
          List.of(
              new int[] {1, 2, 3},
              new int[] {4, 5},
              new int[] {6, 7, 8, 9},
              new int[] {10},
              new int[] {11, 12});
      List<Generation> together = engine.generate(prompts, p, 12, 5);
      // prompt 2 alone is sample index 0 of a fresh request: shift the seed instead — same
      // request, same index: generate the first two prompts only and compare
      List<Generation> firstTwo = engine.generate(prompts.subList(0, 2), p, 12, 5);
      for (int i = 0; i < 2; i++) {
        assertArrayEquals(together.get(i).tokens(), firstTwo.get(i).tokens());
        assertArrayEquals(together.get(i).logprobs(), firstTwo.get(i).logprobs(), 1e-5f);
      }
      List<Generation> otherSeed =
          engine.generate(prompts, new SamplingParams(1.0, 10, 0.95, 78), 12, 5);
      boolean differs = false;
      for (int i = 0; i < prompts.size(); i++) {
        differs |= !java.util.Arrays.equals(together.get(i).tokens(), otherSeed.get(i).tokens());
      }
      assertTrue(differs, "another seed should give other tokens");
      assertEquals(3, engine.cache().freeSlots(), "all slots returned");

      List<int[]> responses = together.stream().map(Generation::tokens).toList();
      SequenceScorer.Scores s = new SequenceScorer(model, 2).score(prompts, responses);
      for (int i = 0; i < prompts.size(); i++) {
        Generation g = together.get(i);
        assertTrue(g.tokens().length == 12 || g.finishReason() == Generation.FinishReason.STOP);
        assertArrayEquals(g.logprobs(), s.logprobs()[i], 1e-4f, "logprobs of " + i);
        assertArrayEquals(g.entropies(), s.entropies()[i], 1e-4f, "entropies of " + i);
      }
    }
  }

  @Test
  void greedyGenerate_stopsAtEos() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, TinyModels.tiny(), 32);
        DecodeEngine engine = new DecodeEngine(model, 2, 48)) {
      Generation g =
          engine.generate(List.of(new int[] {1, 2}), SamplingParams.greedy(), 20, -1).get(0);
      assertEquals(20, g.tokens().length);
      assertEquals(Generation.FinishReason.LENGTH, g.finishReason());
      int eos = g.tokens()[3];
      Generation stopped =
          engine.generate(List.of(new int[] {1, 2}), SamplingParams.greedy(), 20, eos).get(0);
      assertEquals(Generation.FinishReason.STOP, stopped.finishReason());
      int firstEos = 0;
      while (g.tokens()[firstEos] != eos) {
        firstEos++;
      }
      assertEquals(firstEos + 1, stopped.tokens().length);
      assertNotEquals(0, stopped.tokens().length);
    }
  }

  @Test
  void rngsFor_sameStreamAloneOrInABatch_independentAcrossPromptsAndRepeats() {
    SamplingParams p = new SamplingParams(1.0, 0, 1.0, 42);
    int[] a = {5, 6, 7};
    int[] b = {5, 6, 8};
    SplittableRandom[] batch = Sampler.rngsFor(p, List.of(b, a, a), 2);
    SplittableRandom[] alone = Sampler.rngsFor(p, List.of(a), 4);
    long[] first = new long[batch.length];
    for (int i = 0; i < batch.length; i++) {
      first[i] = batch[i].nextLong();
    }
    // a's samples 0, 1 (its first occurrence) and 2, 3 (its repeat) are a alone with n = 4
    for (int k = 0; k < 4; k++) {
      assertEquals(alone[k].nextLong(), first[2 + k], "sample " + k + " of prompt a");
    }
    Set<Long> distinct = new HashSet<>();
    for (long f : first) {
      distinct.add(f);
    }
    assertEquals(batch.length, distinct.size(), "every sequence draws its own numbers");
  }
}
