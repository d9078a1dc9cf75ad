package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.trainersvc.data.Datasets;
import dev.rlhfmesh.trainersvc.data.Preference;
import dev.rlhfmesh.trainersvc.data.TextCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Pairwise reward-model training from JSONL preference pairs; exports {@code <job>/model}, a
 * directory reward-svc loads (backbone + scalar head + tokenizer.json).
 */
public final class RewardModelStage implements StageRunner {
  private final Learners learners;
  private final TokenizerSource tokenizers;

  public RewardModelStage(Learners learners, TokenizerSource tokenizers) {
    this.learners = learners;
    this.tokenizers = tokenizers;
  }

  @Override
  public int totalSteps(JobSpec spec) {
    return spec.getRewardModel().getSteps();
  }

  @Override
  public void validate(JobSpec spec) {
    RewardModelSpec s = spec.getRewardModel();
    TokenizerSource.requireFile("spec.reward_model.train_data", s.getTrainData());
    TokenizerSource.requireFileOrEmpty("spec.reward_model.eval_data", s.getEvalData());
    TokenizerSource.requireDirOrEmpty("spec.reward_model.model_dir", s.getModelDir());
    tokenizers.locate("spec.reward_model.tokenizer_dir", s.getTokenizerDir(), s.getModelDir());
  }

  @Override
  public void run(JobContext ctx) {
    RewardModelSpec s = ctx.spec().getRewardModel();
    Path tokenizer =
        tokenizers.locate("spec.reward_model.tokenizer_dir", s.getTokenizerDir(), s.getModelDir());
    try (TextCodec codec = tokenizers.load(tokenizer)) {
      List<Preference> data = Datasets.preferences(Path.of(s.getTrainData()), codec);
      Optional<List<Preference>> eval =
          SupervisedLoop.evalFile(s.getEvalData(), f -> Datasets.preferences(f, codec));
      try (SupervisedLearner<Preference> learner =
          learners.rewardModel(
              s,
              codec.vocabSize(),
              codec.eosId(),
              ctx.spec().getSeed(),
              ctx.resumeFrom().map(CheckpointStore::learnerDir))) {
        SupervisedLoop.run(
            ctx,
            data,
            s.getEvalFraction(),
            eval,
            s.getSteps(),
            s.getBatchSize(),
            s.getEvalEvery(),
            learner,
            p -> 2 * p.prompt().length + p.chosen().length + p.rejected().length,
            dir -> TokenizerSource.copyInto(tokenizer, dir));
      }
    }
  }
}
