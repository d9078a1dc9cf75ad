package dev.rlhfmesh.launcher.pipeline;

import dev.rlhfmesh.launcher.task.AdditionTask;
import dev.rlhfmesh.launcher.task.AdditionTask.Problem;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.SpecialToken;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures the gold score of whatever the policy replicas serve now, the way the reward model never
 * sees it: exact answers on held-out prompts, sampled at temperature 1 (what RLHF sharpens) and
 * greedily (beside it). It also measures reward hacking: how often the learned reward model scores
 * the policy's wrong answer above the correct one.
 */
public final class GoldEvaluator {
  /** One evaluation's figures. */
  public record Result(
      double goldSampled,
      double goldGreedy,
      double wrongAboveCorrect,
      String mostCommonError,
      long policyVersion,
      long newestPolicyVersion,
      List<Map<String, String>> examples) {}

  /** Pairs (two samples each) per Score call, well inside reward-svc's max-samples (1,024). */
  private static final int SCORE_PAIRS_PER_CALL = 256;

  private final PolicySampler sampler;
  private final Channel reward;
  private final String endToken;

  public GoldEvaluator(Channel tokenizer, List<Channel> models, Channel reward, int maxNewTokens) {
    this.sampler = new PolicySampler(tokenizer, models, maxNewTokens);
    this.reward = reward;
    this.endToken = endTokenText(tokenizer);
  }

  /** The text of the end token, which every response the reward model was trained on ends with. */
  private static String endTokenText(Channel tokenizer) {
    GetTokenizerInfoResponse info =
        TokenizerServiceGrpc.newBlockingStub(tokenizer)
            .getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
    return info.getSpecialTokensList().stream()
        .filter(t -> t.getId() == info.getEosTokenId())
        .map(SpecialToken::getContent)
        .findFirst()
        .orElse("");
  }

  public Result evaluate(List<Problem> problems, long seed, String label) {
    List<String> prompts = problems.stream().map(Problem::prompt).toList();
    PolicySampler.Samples sampled = sampler.sample(prompts, 1, 1.0f, seed);
    PolicySampler.Samples greedy = sampler.sample(prompts, 1, 0.0f, seed);
    int okSampled = 0;
    int okGreedy = 0;
    Map<Integer, Integer> errors = new HashMap<>();
    List<Integer> wrongIdx = new ArrayList<>();
    List<Map<String, String>> examples = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      Problem p = problems.get(i);
      boolean s = AdditionTask.isCorrect(p, sampled.texts().get(i));
      okSampled += s ? 1 : 0;
      okGreedy += AdditionTask.isCorrect(p, greedy.texts().get(i)) ? 1 : 0;
      if (!s) {
        if (!sampled.texts().get(i).isBlank()) {
          wrongIdx.add(i); // an empty answer has nothing for the reward model to compare
        }
        errors.merge(errorOffset(p, sampled.texts().get(i)), 1, Integer::sum);
      }
      if (i < 8) {
        Map<String, String> ex = new LinkedHashMap<>();
        ex.put("model", label);
        ex.put("prompt", p.prompt());
        ex.put("response", sampled.texts().get(i));
        ex.put("correct", s ? "yes" : "no (" + p.answer() + ")");
        examples.add(ex);
      }
    }
    double hacked = wrongAboveCorrect(problems, sampled.texts(), wrongIdx);
    String common =
        errors.entrySet().stream()
            .max(Map.Entry.comparingByValue())
            .map(
                e ->
                    (e.getKey() == Integer.MIN_VALUE ? "not a number" : offsetName(e.getKey()))
                        + " ("
                        + e.getValue()
                        + "×)")
            .orElse("none");
    int n = problems.size();
    return new Result(
        okSampled / (double) n,
        okGreedy / (double) n,
        hacked,
        common,
        sampled.version(),
        sampled.newest(),
        examples);
  }

  /**
   * Share of wrong answers that the learned reward model scores above the correct answer. Both
   * responses end with the end token, as every response the reward model was trained on does (its
   * score is read there).
   */
  private double wrongAboveCorrect(
      List<Problem> problems, List<String> answers, List<Integer> wrong) {
    if (wrong.isEmpty() || reward == null) {
      return 0.0;
    }
    List<Float> r = new ArrayList<>();
    for (int from = 0; from < wrong.size(); from += SCORE_PAIRS_PER_CALL) {
      ScoreRequest.Builder req = ScoreRequest.newBuilder().setReward("learned");
      for (int i : wrong.subList(from, Math.min(wrong.size(), from + SCORE_PAIRS_PER_CALL))) {
        Problem p = problems.get(i);
        req.addSamples(
            RewardSample.newBuilder()
                .setPromptText(p.prompt())
                .setResponseText(answers.get(i) + endToken));
        req.addSamples(
            RewardSample.newBuilder()
                .setPromptText(p.prompt())
                .setResponseText(p.answer() + endToken));
      }
      r.addAll(RewardServiceGrpc.newBlockingStub(reward).score(req.build()).getRewardsList());
    }
    int above = 0;
    for (int k = 0; k < wrong.size(); k++) {
      above += r.get(2 * k) > r.get(2 * k + 1) ? 1 : 0;
    }
    return above / (double) wrong.size();
  }

  private static int errorOffset(Problem p, String answer) {
    try {
      return Integer.parseInt(answer.strip()) - (p.a() + p.b());
    } catch (NumberFormatException e) {
      return Integer.MIN_VALUE;
    }
  }

  private static String offsetName(int offset) {
    return (offset > 0 ? "+" : "") + offset;
  }
}
