package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.generate.Generation;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.SamplingParams;
import dev.rlhfmesh.model.scoring.SequenceScorer;
import dev.rlhfmesh.trainersvc.learn.ckpt.ModelFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Tiny models and in-process rollouts for the learning tests: what the orchestration does over gRPC
 * (Generate at T = 1, reference ScoreSequences, reward), done here with model-core directly.
 */
final class TinyWorld {
  static final int EOS = 1;

  private TinyWorld() {}

  /** 12 tokens, 16 positions, 32 wide, 2 layers, 2 heads. Token 0 is padding, 1 is EOS. */
  static GptConfig tiny() {
    return new GptConfig(12, 16, 32, 2, 2, 64, 1e-5f, "gelu_new", -1, EOS);
  }

  /** Saves a freshly initialised model as a Hugging Face directory. */
  static Path savedInit(Path dir, GptConfig c, long seed) {
    try (NDManager m = NDManager.newBaseManager();
        Gpt g = Gpt.init(m, c, seed)) {
      g.save(dir);
    }
    return dir;
  }

  /** Bitwise copies of every tensor, for exact comparisons. */
  static List<float[]> snapshot(Map<String, NDArray> params) {
    List<float[]> out = new ArrayList<>();
    params.values().forEach(p -> out.add(p.toFloatArray()));
    return out;
  }

  /** Samples responses from a copy of the policy and scores them, like the rollout workers. */
  static final class Sampler implements AutoCloseable {
    final NDManager root = NDManager.newBaseManager();
    final Gpt actor;
    final Gpt reference;

    Sampler(Path policyDir) {
      actor = ModelFiles.loadGpt(root, policyDir);
      reference = ModelFiles.loadGpt(root, policyDir);
    }

    /** Copies the learner's weights into the sampling replica (the weight push). */
    void sync(Map<String, NDArray> weights) {
      actor.loadStateDict(weights);
    }

    List<Rollout> rollouts(
        List<int[]> prompts,
        int samplesPerPrompt,
        int maxNew,
        long seed,
        long version,
        ToDoubleFunction<int[]> reward) {
      List<int[]> ps = new ArrayList<>();
      List<Integer> groups = new ArrayList<>();
      for (int g = 0; g < prompts.size(); g++) {
        for (int k = 0; k < samplesPerPrompt; k++) {
          ps.add(prompts.get(g));
          groups.add(g);
        }
      }
      List<Generation> gens;
      try (DecodeEngine e = new DecodeEngine(actor, Math.min(64, ps.size()), 16)) {
        gens = e.generate(ps, SamplingParams.ofTemperature(1, seed), maxNew, EOS);
      }
      List<int[]> responses = gens.stream().map(Generation::tokens).toList();
      float[][] ref = new SequenceScorer(reference, 64).score(ps, responses).logprobs();
      List<Rollout> out = new ArrayList<>();
      for (int i = 0; i < ps.size(); i++) {
        Generation g = gens.get(i);
        out.add(
            new Rollout(
                ps.get(i),
                g.tokens(),
                g.logprobs(),
                ref[i],
                (float) reward.applyAsDouble(g.tokens()),
                g.finishReason() == Generation.FinishReason.STOP,
                version,
                groups.get(i)));
      }
      return out;
    }

    @Override
    public void close() {
      actor.close();
      reference.close();
      root.close();
    }
  }

  /** Fixed random rollouts (no model needed) for determinism tests. */
  static List<Rollout> syntheticRollouts(long seed, int n, int vocab) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Rollout> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] prompt = new int[1 + r.nextInt(3)];
      for (int j = 0; j < prompt.length; j++) {
        prompt[j] = 2 + r.nextInt(vocab - 2);
      }
      boolean eos = r.nextInt(4) != 0;
      int[] response = new int[1 + r.nextInt(4)];
      float[] ref = new float[response.length];
      for (int j = 0; j < response.length; j++) {
        response[j] = 2 + r.nextInt(vocab - 2);
        ref[j] = (float) (-2.5 + r.nextDouble());
      }
      if (eos) {
        response[response.length - 1] = EOS;
      }
      out.add(
          new Rollout(prompt, response, ref.clone(), ref, (float) r.nextGaussian(), eos, 0, i / 2));
    }
    return out;
  }
}
