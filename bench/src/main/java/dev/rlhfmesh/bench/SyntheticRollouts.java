package dev.rlhfmesh.bench;

import dev.rlhfmesh.trainersvc.learn.Rollout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A PPO batch of the DEMO-NOTES shape — 256 rollouts of a 6-token prompt ({@code 23+58=}) and a
 * 3-token response (two digits and the end token) — with seeded random tokens, reference logprobs
 * and scores. Both sides learn from exactly this batch (the peer reads {@link #toJson}).
 */
public final class SyntheticRollouts {
  public static final int ROLLOUTS = 256;
  public static final int PROMPT = 6;
  public static final int RESPONSE = 3;

  private SyntheticRollouts() {}

  public static List<Rollout> make(int n, int vocab, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Rollout> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int[] p = new int[PROMPT];
      int[] s = new int[RESPONSE];
      float[] ref = new float[RESPONSE];
      for (int j = 0; j < PROMPT; j++) {
        p[j] = r.nextInt(vocab);
      }
      for (int j = 0; j < RESPONSE; j++) {
        s[j] = r.nextInt(vocab);
        ref[j] = (float) (-Math.log(vocab) + 0.1 * (r.nextDouble() - 0.5));
      }
      float score = (float) (r.nextDouble() * 2 - 1);
      out.add(new Rollout(p, s, null, ref, score, true, 0, i / 8));
    }
    return out;
  }

  /** The batch as the peer reads it: prompts, responses, ref_logprobs, scores, eos. */
  public static Map<String, Object> toJson(List<Rollout> batch) {
    List<int[]> prompts = new ArrayList<>();
    List<int[]> responses = new ArrayList<>();
    List<float[]> refs = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    List<Boolean> eos = new ArrayList<>();
    for (Rollout r : batch) {
      prompts.add(r.prompt());
      responses.add(r.response());
      refs.add(r.refLogprobs());
      scores.add(r.score());
      eos.add(r.endedWithEos());
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("prompts", prompts);
    m.put("responses", responses);
    m.put("ref_logprobs", refs);
    m.put("scores", scores);
    m.put("eos", eos);
    return m;
  }
}
