package dev.rlhfmesh.trainersvc.jobs;

import static dev.rlhfmesh.grpc.errors.Validation.requireInRange;
import static dev.rlhfmesh.grpc.errors.Validation.requireNonBlank;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.JobKind;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;

/**
 * Checks a {@link JobSpec} against the ranges its contract documents; the first bad field is
 * reported as INVALID_ARGUMENT naming its path, e.g. {@code spec.ppo.clip_range}.
 */
public final class SpecValidator {
  private static final int MAX = 1_000_000_000;

  private SpecValidator() {}

  public static JobKind kind(JobSpec spec) {
    return switch (spec.getStageCase()) {
      case SFT -> JobKind.JOB_KIND_SFT;
      case REWARD_MODEL -> JobKind.JOB_KIND_REWARD_MODEL;
      case PPO -> JobKind.JOB_KIND_PPO;
      case STAGE_NOT_SET ->
          throw ServiceException.invalidArgument(
              "spec.stage", "not set", "one of sft, reward_model, ppo is required");
    };
  }

  public static void validate(JobSpec spec) {
    requireInRange("spec.checkpoint_every", spec.getCheckpointEvery(), 0, MAX);
    requireInRange("spec.keep_last_checkpoints", spec.getKeepLastCheckpoints(), 0, MAX);
    switch (kind(spec)) {
      case JOB_KIND_SFT -> sft(spec.getSft());
      case JOB_KIND_REWARD_MODEL -> rewardModel(spec.getRewardModel());
      case JOB_KIND_PPO -> ppo(spec.getPpo());
      default -> throw new IllegalStateException();
    }
  }

  private static void sft(SftSpec s) {
    requireNonBlank("spec.sft.train_data", s.getTrainData());
    requireFraction("spec.sft.eval_fraction", s.getEvalFraction());
    requireOneEvalSource("spec.sft", s.getEvalFraction(), s.getEvalData());
    requireInRange("spec.sft.steps", s.getSteps(), 1, MAX);
    requireInRange("spec.sft.batch_size", s.getBatchSize(), 1, 1 << 20);
    requireInRange("spec.sft.max_seq_len", s.getMaxSeqLen(), 0, 1 << 20);
    requireInRange("spec.sft.eval_every", s.getEvalEvery(), 0, MAX);
    optimizer("spec.sft.optimizer", s.getOptimizer(), s.getSteps());
  }

  private static void rewardModel(RewardModelSpec s) {
    requireNonBlank("spec.reward_model.train_data", s.getTrainData());
    requireFraction("spec.reward_model.eval_fraction", s.getEvalFraction());
    requireOneEvalSource("spec.reward_model", s.getEvalFraction(), s.getEvalData());
    requireInRange("spec.reward_model.steps", s.getSteps(), 1, MAX);
    requireInRange("spec.reward_model.batch_size", s.getBatchSize(), 1, 1 << 20);
    requireInRange("spec.reward_model.margin", s.getMargin(), 0, 1e6);
    requireInRange("spec.reward_model.eval_every", s.getEvalEvery(), 0, MAX);
    optimizer("spec.reward_model.optimizer", s.getOptimizer(), s.getSteps());
  }

  private static void ppo(PpoSpec p) {
    String f = "spec.ppo.";
    requireNonBlank(f + "policy_model_dir", p.getPolicyModelDir());
    requireNonBlank(f + "reward", p.getReward());
    requireNonBlank(f + "prompt_data", p.getPromptData());
    requireInRange(f + "iterations", p.getIterations(), 1, MAX);
    requireInRange(f + "prompts_per_iteration", p.getPromptsPerIteration(), 1, 1 << 16);
    sampling(f + "sampling", p.getSampling());
    requireInRange(f + "kl.beta", p.getKl().getBeta(), 0, 1e6);
    if (p.getKl().getAdaptive()) {
      requireInRange(f + "kl.target_kl", p.getKl().getTargetKl(), 1e-9, 1e6);
      requireInRange(f + "kl.horizon", p.getKl().getHorizon(), 1, 1e12);
    } else {
      requireInRange(f + "kl.target_kl", p.getKl().getTargetKl(), 0, 1e6);
    }
    if (p.getEstimator() == AdvantageEstimator.UNRECOGNIZED) {
      throw ServiceException.invalidArgument(f + "estimator", p.getEstimatorValue(), "unknown");
    }
    requireInRange(f + "gamma", p.getGamma(), 0, 1);
    requireInRange(f + "lam", p.getLam(), 0, 1);
    requireInRange(f + "clip_range", p.getClipRange(), 1e-9, 10);
    requireInRange(f + "value_clip_range", p.getValueClipRange(), 0, 1e6);
    requireInRange(f + "value_coef", p.getValueCoef(), 0, 1e6);
    requireInRange(f + "entropy_coef", p.getEntropyCoef(), 0, 1e6);
    requireInRange(f + "ppo_epochs", p.getPpoEpochs(), 1, 1000);
    requireInRange(f + "minibatch_size", p.getMinibatchSize(), 1, 1 << 20);
    requireInRange(f + "reward_clip", p.getRewardClip(), 0, 1e9);
    requireInRange(f + "no_eos_penalty", p.getNoEosPenalty(), -1e9, 1e9);
    requireInRange(f + "max_policy_lag", p.getMaxPolicyLag(), 0, 1000);
    optimizer(f + "optimizer", p.getOptimizer(), p.getIterations());
  }

  private static void sampling(String f, SamplingParams s) {
    if (s.hasTemperature()) {
      requireInRange(f + ".temperature", s.getTemperature(), 0, 100);
    }
    requireInRange(f + ".top_k", s.getTopK(), 0, 1 << 20);
    if (s.hasTopP() && !(s.getTopP() > 0 && s.getTopP() <= 1)) {
      throw ServiceException.invalidArgument(f + ".top_p", s.getTopP(), "must be in (0, 1]");
    }
    requireInRange(f + ".max_new_tokens", s.getMaxNewTokens(), 0, 1 << 16);
    requireInRange(f + ".n", s.getN(), 0, 1024);
    if (s.hasSeed()) {
      throw ServiceException.invalidArgument(
          f + ".seed", s.getSeed(), "leave unset: rollout seeds derive from spec.seed");
    }
  }

  /** {@code steps}: the schedule's length (optimiser steps, or PPO iterations). */
  private static void optimizer(String f, OptimizerSpec o, int steps) {
    if (!(o.getLearningRate() > 0 && o.getLearningRate() < 10)) {
      throw ServiceException.invalidArgument(
          f + ".learning_rate", o.getLearningRate(), "must be in (0, 10)");
    }
    requireInRange(f + ".warmup_steps", o.getWarmupSteps(), 0, Math.max(0, steps));
    requireInRange(f + ".weight_decay", o.getWeightDecay(), 0, 10);
    requireInRange(f + ".grad_clip", o.getGradClip(), 0, 1e9);
    requireInRange(f + ".min_lr_ratio", o.getMinLrRatio(), 0, 1);
  }

  /** An eval file and a held-out share of the training data would be two eval sets: pick one. */
  private static void requireOneEvalSource(String stage, double evalFraction, String evalData) {
    if (!evalData.isBlank() && evalFraction > 0) {
      throw ServiceException.invalidArgument(
          stage + ".eval_fraction",
          evalFraction,
          "must be 0 when " + stage + ".eval_data is set (" + evalData + ")");
    }
  }

  private static void requireFraction(String field, double v) {
    if (!(v >= 0 && v < 0.5)) {
      throw ServiceException.invalidArgument(field, v, "must be in [0, 0.5)");
    }
  }
}
