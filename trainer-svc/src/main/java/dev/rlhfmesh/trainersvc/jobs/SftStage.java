package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.trainersvc.data.Datasets;
import dev.rlhfmesh.trainersvc.data.Demonstration;
import dev.rlhfmesh.trainersvc.data.TextCodec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Supervised fine-tuning from JSONL demonstrations; exports {@code <job>/model}. */
public final class SftStage implements StageRunner {
  private final Learners learners;
  private final TokenizerSource tokenizers;

  public SftStage(Learners learners, TokenizerSource tokenizers) {
    this.learners = learners;
    this.tokenizers = tokenizers;
  }

  @Override
  public int totalSteps(JobSpec spec) {
    return spec.getSft().getSteps();
  }

  @Override
  public void validate(JobSpec spec) {
    SftSpec s = spec.getSft();
    TokenizerSource.requireFile("spec.sft.train_data", s.getTrainData());
    TokenizerSource.requireFileOrEmpty("spec.sft.eval_data", s.getEvalData());
    TokenizerSource.requireDirOrEmpty("spec.sft.model_dir", s.getModelDir());
    tokenizers.locate("spec.sft.tokenizer_dir", s.getTokenizerDir(), s.getModelDir());
  }

  @Override
  public void run(JobContext ctx) {
    SftSpec s = ctx.spec().getSft();
    Path tokenizer =
        tokenizers.locate("spec.sft.tokenizer_dir", s.getTokenizerDir(), s.getModelDir());
    try (TextCodec codec = tokenizers.load(tokenizer)) {
      List<Demonstration> data =
          Datasets.demonstrations(Path.of(s.getTrainData()), codec, s.getMaxSeqLen());
      Optional<List<Demonstration>> eval =
          SupervisedLoop.evalFile(
              s.getEvalData(), f -> Datasets.demonstrations(f, codec, s.getMaxSeqLen()));
      try (SupervisedLearner<Demonstration> learner =
          learners.sft(
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
            d -> d.prompt().length + d.response().length,
            dir -> TokenizerSource.copyInto(tokenizer, dir));
      }
    }
  }
}
