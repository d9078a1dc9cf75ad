package dev.rlhfmesh.trainersvc.jobs;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.NoGrad;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.trainersvc.data.Demonstration;
import dev.rlhfmesh.trainersvc.data.Preference;
import dev.rlhfmesh.trainersvc.learn.Estimator;
import dev.rlhfmesh.trainersvc.learn.PpoLearner;
import dev.rlhfmesh.trainersvc.learn.PpoSettings;
import dev.rlhfmesh.trainersvc.learn.PreferencePair;
import dev.rlhfmesh.trainersvc.learn.RewardModelTrainer;
import dev.rlhfmesh.trainersvc.learn.RmSettings;
import dev.rlhfmesh.trainersvc.learn.Rollout;
import dev.rlhfmesh.trainersvc.learn.SftSettings;
import dev.rlhfmesh.trainersvc.learn.SftTrainer;
import dev.rlhfmesh.trainersvc.learn.TokenizedExample;
import dev.rlhfmesh.trainersvc.rollout.RolloutSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link Learners} over the learning core ({@code dev.rlhfmesh.trainersvc.learn}): maps the job
 * specs to its settings records and the orchestration's types to its own. A spec without a model
 * directory starts from {@link GptConfig#smallDefault} sized to the tokenizer, end id set.
 */
public final class CoreLearners implements Learners {
  @Override
  public SupervisedLearner<Demonstration> sft(
      SftSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume) {
    OptimizerSpec o = spec.getOptimizer();
    SftSettings s =
        new SftSettings(
            spec.getSteps(),
            spec.getBatchSize(),
            o.getLearningRate(),
            o.getWarmupSteps(),
            o.getWeightDecay(),
            o.getGradClip(),
            o.getMinLrRatio());
    SftTrainer t =
        resume.isPresent()
            ? SftTrainer.restore(resume.get(), s)
            : SftTrainer.create(
                s,
                dirOrNull(spec.getModelDir()),
                init(vocabSize, eosId, spec.getMaxSeqLen()),
                seed);
    return new SupervisedLearner<>() {
      @Override
      public Map<String, Double> step(List<Demonstration> batch) {
        return noGrad(() -> t.step(examples(batch)));
      }

      @Override
      public Map<String, Double> evaluate(List<Demonstration> eval) {
        return t.evaluate(examples(eval));
      }

      @Override
      public void save(Path dir) {
        t.save(dir);
      }

      @Override
      public void export(Path dir) {
        t.exportModel(dir);
      }

      @Override
      public void close() {
        t.close();
      }
    };
  }

  @Override
  public SupervisedLearner<Preference> rewardModel(
      RewardModelSpec spec, int vocabSize, int eosId, long seed, Optional<Path> resume) {
    OptimizerSpec o = spec.getOptimizer();
    RmSettings s =
        new RmSettings(
            spec.getSteps(),
            spec.getBatchSize(),
            o.getLearningRate(),
            o.getWarmupSteps(),
            o.getWeightDecay(),
            o.getGradClip(),
            o.getMinLrRatio(),
            spec.getMargin());
    RewardModelTrainer t =
        resume.isPresent()
            ? RewardModelTrainer.restore(resume.get(), s)
            : RewardModelTrainer.create(
                s, dirOrNull(spec.getModelDir()), init(vocabSize, eosId, 0), seed);
    return new SupervisedLearner<>() {
      @Override
      public Map<String, Double> step(List<Preference> batch) {
        return noGrad(() -> t.step(pairs(batch)));
      }

      @Override
      public Map<String, Double> evaluate(List<Preference> eval) {
        return t.evaluate(pairs(eval));
      }

      @Override
      public void save(Path dir) {
        t.save(dir);
      }

      @Override
      public void export(Path dir) {
        t.exportModel(dir);
      }

      @Override
      public void close() {
        t.close();
      }
    };
  }

  @Override
  public PolicyLearner ppo(PpoSpec spec, long seed, Optional<Path> resume) {
    PpoSettings s = settings(spec);
    PpoLearner l =
        resume.isPresent()
            ? PpoLearner.restore(resume.get(), s)
            : PpoLearner.create(
                s, Path.of(spec.getPolicyModelDir()), dirOrNull(spec.getCriticModelDir()), seed);
    return new PolicyLearner() {
      @Override
      public Map<String, Double> learn(List<RolloutSample> batch) {
        List<Rollout> rs = new ArrayList<>(batch.size());
        for (RolloutSample r : batch) {
          rs.add(
              new Rollout(
                  r.prompt(),
                  r.response(),
                  r.behaviourLogprobs(),
                  r.refLogprobs(),
                  r.score(),
                  r.endedWithEos(),
                  r.policyVersion(),
                  r.group()));
        }
        return noGrad(() -> l.learn(rs));
      }

      @Override
      public long version() {
        return l.version();
      }

      @Override
      public List<TensorBytes> policyWeights() {
        List<TensorBytes> out = new ArrayList<>();
        for (Map.Entry<String, NDArray> e : l.policyWeights().entrySet()) {
          NDArray a = e.getValue();
          byte[] bytes;
          if (a.getDataType() == DataType.FLOAT32) {
            bytes = a.toByteArray();
          } else {
            try (NDArray f = a.toType(DataType.FLOAT32, true)) {
              bytes = f.toByteArray();
            }
          }
          out.add(
              new TensorBytes(e.getKey(), DType.D_TYPE_FLOAT32, a.getShape().getShape(), bytes));
        }
        return out;
      }

      @Override
      public void save(Path dir) {
        l.save(dir);
      }

      @Override
      public void exportPolicy(Path dir) {
        l.exportPolicy(dir);
      }

      @Override
      public void close() {
        l.close();
      }
    };
  }

  /**
   * Runs a learner call with autograd recording off outside its gradient collector. DJL's engine
   * turns recording off only on the thread that loads it and a collector restores the previous mode
   * when it closes, so on any other training thread the optimiser's in-place parameter update would
   * run with recording on and fail ("a leaf Variable that requires grad is being used in an
   * in-place operation"). Jobs may run on any of the trainer's threads.
   */
  static <T> T noGrad(Supplier<T> call) {
    try (NoGrad off = NoGrad.enter()) {
      return call.get();
    }
  }

  static PpoSettings settings(PpoSpec p) {
    OptimizerSpec o = p.getOptimizer();
    Estimator estimator =
        switch (p.getEstimator()) {
          case ADVANTAGE_ESTIMATOR_GRPO -> Estimator.GRPO;
          case ADVANTAGE_ESTIMATOR_RLOO -> Estimator.RLOO;
          default -> Estimator.GAE;
        };
    return new PpoSettings(
        estimator,
        p.getKl().getBeta(),
        p.getKl().getAdaptive(),
        p.getKl().getTargetKl(),
        p.getKl().getHorizon(),
        p.getGamma(),
        p.getLam(),
        p.getClipRange(),
        p.getValueClipRange(),
        p.getValueCoef(),
        p.getEntropyCoef(),
        p.getPpoEpochs(),
        p.getMinibatchSize(),
        o.getLearningRate(),
        o.getWarmupSteps(),
        o.getWeightDecay(),
        o.getGradClip(),
        o.getMinLrRatio(),
        p.getIterations(),
        p.getWhitenAdvantages(),
        p.getRewardClip(),
        p.getNormalizeRewards(),
        p.getNoEosPenalty());
  }

  /** The small default shape for a seeded init; the context fits {@code maxSeqLen} if larger. */
  static GptConfig init(int vocabSize, int eosId, int maxSeqLen) {
    GptConfig d = GptConfig.smallDefault(vocabSize);
    return new GptConfig(
        vocabSize,
        Math.max(d.nPositions(), maxSeqLen),
        d.nEmbd(),
        d.nLayer(),
        d.nHead(),
        d.nInner(),
        d.layerNormEpsilon(),
        d.activation(),
        eosId,
        eosId);
  }

  private static Path dirOrNull(String dir) {
    return dir.isBlank() ? null : Path.of(dir);
  }

  private static List<TokenizedExample> examples(List<Demonstration> ds) {
    return ds.stream().map(d -> new TokenizedExample(d.prompt(), d.response())).toList();
  }

  private static List<PreferencePair> pairs(List<Preference> ps) {
    return ps.stream().map(p -> new PreferencePair(p.prompt(), p.chosen(), p.rejected())).toList();
  }
}
