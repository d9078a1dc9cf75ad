package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.trainersvc.data.PromptExample;
import dev.rlhfmesh.trainersvc.data.Seeds;
import dev.rlhfmesh.trainersvc.data.TextCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Collects one iteration: {@code Generate} for every prompt across the policy replicas (one request
 * per prompt, n samples, seed derived from (job seed, iteration, prompt) so a rerun draws the same
 * samples whichever replica serves it), reward-svc {@code Score}, then {@code ScoreSequences} on
 * the reference model.
 */
public final class RolloutCollector {
  /** What every iteration shares. */
  public record Settings(
      String policyModel,
      String referenceModel,
      String reward,
      SamplingParams sampling,
      long seed,
      int scoreBatch) {}

  private final ReplicaPool pool;
  private final RewardScorer rewards;
  private final TextCodec codec;
  private final Settings settings;

  public RolloutCollector(
      ReplicaPool pool, RewardScorer rewards, TextCodec codec, Settings settings) {
    this.pool = pool;
    this.rewards = rewards;
    this.codec = codec;
    this.settings = settings;
  }

  /**
   * The sampling seed of one (iteration, prompt), sent with that prompt's own request; model-svc
   * draws sample i from (seed, prompt, i).
   */
  public static long seedFor(long jobSeed, int iteration, int promptIndex) {
    return Seeds.mix(jobSeed, 0x5A3D1E + iteration, promptIndex);
  }

  /**
   * @param minWireVersion the oldest weight version a completion may come from
   * @param wireBase wire version of learner version 0 (subtracted to report learner versions)
   */
  public RolloutBatch collect(
      int iteration,
      List<PromptExample> prompts,
      long minWireVersion,
      long wireBase,
      BooleanSupplier cancelled)
      throws InterruptedException {
    List<GenerateRequest> requests = new ArrayList<>(prompts.size());
    for (int p = 0; p < prompts.size(); p++) {
      SamplingParams sp =
          settings.sampling().toBuilder()
              .setReturnLogprobs(true)
              .setSeed(seedFor(settings.seed(), iteration, p))
              .build();
      requests.add(
          GenerateRequest.newBuilder()
              .setModel(settings.policyModel())
              .addPrompts(ids(prompts.get(p).ids()))
              .setSampling(sp)
              .build());
    }
    long t0 = System.nanoTime();
    int retriesBefore = pool.retries();
    List<GenerateResponse> generated = pool.generateAll(requests, minWireVersion, cancelled);
    long t1 = System.nanoTime();

    List<Completion> completions = new ArrayList<>();
    List<Integer> group = new ArrayList<>();
    List<RewardSample> rewardSamples = new ArrayList<>();
    for (int p = 0; p < generated.size(); p++) {
      PromptExample prompt = prompts.get(p);
      for (Completion c : generated.get(p).getCompletionsList()) {
        completions.add(c);
        group.add(p);
        rewardSamples.add(
            RewardSample.newBuilder()
                .setPrompt(ids(prompt.ids()))
                .setResponse(TokenIds.newBuilder().addAllIds(c.getTokenIdsList()))
                .setPromptText(prompt.text())
                .setResponseText(codec.decode(withoutEos(c)))
                .setReferenceAnswer(prompt.referenceAnswer())
                .build());
      }
    }
    float[] scores = rewards.score(settings.reward(), rewardSamples);
    long t2 = System.nanoTime();
    float[][] ref = referenceLogprobs(prompts, completions, group);
    long t3 = System.nanoTime();

    List<RolloutSample> samples = new ArrayList<>(completions.size());
    long oldest = Long.MAX_VALUE;
    double sum = 0;
    double sumSq = 0;
    double klSum = 0;
    double negLogp = 0;
    long tokens = 0;
    int eos = 0;
    for (int i = 0; i < completions.size(); i++) {
      Completion c = completions.get(i);
      float[] behaviour = floats(c.getLogprobsList());
      long version = c.getPolicyVersion() - wireBase;
      oldest = Math.min(oldest, version);
      boolean ended =
          c.getFinishReason() == FinishReason.FINISH_REASON_EOS
              || c.getFinishReason() == FinishReason.FINISH_REASON_STOP;
      samples.add(
          new RolloutSample(
              prompts.get(group.get(i)).ids(),
              c.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray(),
              behaviour,
              ref[i],
              scores[i],
              ended,
              version,
              group.get(i)));
      sum += scores[i];
      sumSq += (double) scores[i] * scores[i];
      for (int t = 0; t < behaviour.length; t++) {
        klSum += behaviour[t] - ref[i][t];
        negLogp -= behaviour[t];
      }
      tokens += behaviour.length;
      eos += ended ? 1 : 0;
    }
    int n = samples.size();
    double mean = sum / n;
    double genMs = (t1 - t0) / 1e6;
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("reward_mean", mean);
    m.put("reward_std", Math.sqrt(Math.max(0, sumSq / n - mean * mean)));
    m.put("kl", klSum / n);
    m.put("rollout_entropy", tokens == 0 ? 0 : negLogp / tokens);
    m.put("response_length", (double) tokens / n);
    m.put("eos_fraction", (double) eos / n);
    m.put("tokens_per_s", genMs <= 0 ? 0 : tokens / (genMs / 1e3));
    m.put("time_generate_ms", genMs);
    m.put("time_reward_ms", (t2 - t1) / 1e6);
    m.put("time_reference_ms", (t3 - t2) / 1e6);
    m.put("rollout_retries", (double) (pool.retries() - retriesBefore));
    return new RolloutBatch(iteration, samples, oldest, m);
  }

  private float[][] referenceLogprobs(
      List<PromptExample> prompts, List<Completion> completions, List<Integer> group) {
    float[][] out = new float[completions.size()][];
    int batch = Math.max(1, settings.scoreBatch());
    for (int from = 0, call = 0; from < completions.size(); from += batch, call++) {
      int to = Math.min(completions.size(), from + batch);
      ScoreSequencesRequest.Builder req =
          ScoreSequencesRequest.newBuilder().setModel(settings.referenceModel());
      for (int i = from; i < to; i++) {
        req.addSequences(
            SequenceToScore.newBuilder()
                .setPrompt(ids(prompts.get(group.get(i)).ids()))
                .setResponse(
                    TokenIds.newBuilder().addAllIds(completions.get(i).getTokenIdsList())));
      }
      ScoreSequencesResponse resp = pool.scoreSequences(req.build(), call);
      if (resp.getScoresCount() != to - from) {
        throw new IllegalStateException(
            "ScoreSequences returned " + resp.getScoresCount() + " scores for " + (to - from));
      }
      for (int i = from; i < to; i++) {
        out[i] = floats(resp.getScores(i - from).getLogprobsList());
        if (out[i].length != completions.get(i).getTokenIdsCount()) {
          throw new IllegalStateException("reference logprobs do not match response " + i);
        }
      }
    }
    return out;
  }

  private int[] withoutEos(Completion c) {
    int[] ids = c.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray();
    if (ids.length > 0 && ids[ids.length - 1] == codec.eosId()) {
      return Arrays.copyOf(ids, ids.length - 1);
    }
    return ids;
  }

  static TokenIds ids(int[] ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int id : ids) {
      b.addIds(id);
    }
    return b.build();
  }

  private static float[] floats(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
