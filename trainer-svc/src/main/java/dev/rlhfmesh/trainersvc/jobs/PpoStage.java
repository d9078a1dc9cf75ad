package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.trainersvc.data.DataOrder;
import dev.rlhfmesh.trainersvc.data.Datasets;
import dev.rlhfmesh.trainersvc.data.PromptExample;
import dev.rlhfmesh.trainersvc.data.TextCodec;
import dev.rlhfmesh.trainersvc.rollout.CallScope;
import dev.rlhfmesh.trainersvc.rollout.RolloutBatch;
import dev.rlhfmesh.trainersvc.rollout.RolloutCollector;
import dev.rlhfmesh.trainersvc.rollout.RolloutPipeline;
import dev.rlhfmesh.trainersvc.rollout.RolloutServices;
import dev.rlhfmesh.trainersvc.rollout.WeightSync;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The PPO loop: rollouts (a producer running up to {@code max_policy_lag} versions ahead) → learner
 * update → weight sync to every policy replica → metrics → checkpoint. A cancel aborts the
 * downstream calls in flight ({@link CallScope}). Weight versions on the wire are {@code base +
 * learner version}, with {@code base} chosen at (re)start above every version the replicas serve,
 * so each push moves every replica forward.
 */
public final class PpoStage implements StageRunner {
  private final Learners learners;
  private final TokenizerSource tokenizers;
  private final Supplier<RolloutServices> services;

  public PpoStage(
      Learners learners, TokenizerSource tokenizers, Supplier<RolloutServices> services) {
    this.learners = learners;
    this.tokenizers = tokenizers;
    this.services = services;
  }

  @Override
  public int totalSteps(JobSpec spec) {
    return spec.getPpo().getIterations();
  }

  @Override
  public void validate(JobSpec spec) {
    PpoSpec p = spec.getPpo();
    TokenizerSource.requireFile("spec.ppo.prompt_data", p.getPromptData());
    TokenizerSource.requireDirOrEmpty("spec.ppo.policy_model_dir", p.getPolicyModelDir());
    TokenizerSource.requireDirOrEmpty("spec.ppo.critic_model_dir", p.getCriticModelDir());
    tokenizers.locate("spec.ppo.policy_model_dir", "", p.getPolicyModelDir());
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    PpoSpec p = ctx.spec().getPpo();
    long seed = ctx.spec().getSeed();
    String policyModel = p.getPolicyModel().isBlank() ? "policy" : p.getPolicyModel();
    String referenceModel = p.getReferenceModel().isBlank() ? "reference" : p.getReferenceModel();
    int lag = p.getMaxPolicyLag();
    int perIteration = p.getPromptsPerIteration();
    Path tokenizer = tokenizers.locate("spec.ppo.policy_model_dir", "", p.getPolicyModelDir());
    try (TextCodec codec = tokenizers.load(tokenizer);
        PolicyLearner learner =
            learners.ppo(p, seed, ctx.resumeFrom().map(CheckpointStore::learnerDir));
        RolloutServices env = services.get();
        // every downstream call of this run (rollouts, reference scores, rewards, weight pushes)
        // runs in this scope, so a cancel aborts the calls in flight instead of waiting for them
        CallScope calls = new CallScope();
        AutoCloseable abortOnStop =
            ctx.onStop(() -> calls.cancel("job " + ctx.jobId() + " stopped"));
        CallScope.Attachment attached = calls.attach()) {
      List<PromptExample> prompts = Datasets.prompts(Path.of(p.getPromptData()), codec);
      DataOrder order = new DataOrder(prompts.size(), seed);
      int start = ctx.resumeFrom().map(d -> CheckpointStore.readState(d).step()).orElse(0);

      long base = env.sync().maxServingVersion(policyModel) + 1 - learner.version();
      Map<Integer, Long> wireAfter = new ConcurrentHashMap<>();
      WeightSync.Result first =
          env.sync()
              .push(policyModel, base + learner.version(), learner.policyWeights(), env.pool());
      wireAfter.put(start, first.version());

      RolloutCollector collector =
          new RolloutCollector(
              env.pool(),
              env.rewards(),
              codec,
              new RolloutCollector.Settings(
                  policyModel,
                  referenceModel,
                  p.getReward(),
                  p.getSampling(),
                  seed,
                  env.scoreBatch()));
      RolloutPipeline.Source source =
          it ->
              calls.call( // on the producer thread too
                  () ->
                      collector.collect(
                          it,
                          order.batch(prompts, (long) it * perIteration, perIteration),
                          wireAfter.get(Math.max(start, it - lag)),
                          base,
                          ctx::stopRequested));
      try (RolloutPipeline pipeline =
          new RolloutPipeline(source, start, p.getIterations(), lag, start)) {
        for (int it = start; it < p.getIterations(); it++) {
          if (ctx.stopRequested()) {
            return;
          }
          RolloutBatch batch = pipeline.take();
          long before = learner.version();
          if (batch.iteration() != it || before - batch.oldestPolicyVersion() > lag) {
            throw new IllegalStateException(
                "iteration "
                    + it
                    + " got rollouts of iteration "
                    + batch.iteration()
                    + " from version "
                    + batch.oldestPolicyVersion()
                    + " while the learner is at "
                    + before
                    + " (max_policy_lag "
                    + lag
                    + ")");
          }
          long t0 = System.nanoTime();
          Map<String, Double> learned = learner.learn(batch.samples());
          double learnMs = (System.nanoTime() - t0) / 1e6;
          WeightSync.Result sync =
              env.sync()
                  .push(policyModel, base + learner.version(), learner.policyWeights(), env.pool());
          wireAfter.put(it + 1, sync.version());
          pipeline.published(it + 1);

          Map<String, Double> m = new LinkedHashMap<>(batch.metrics());
          m.putAll(learned);
          m.putIfAbsent("entropy", batch.metrics().get("rollout_entropy"));
          m.put("time_learn_ms", learnMs);
          m.put("time_sync_ms", sync.millis());
          m.put("sync_mb_per_s", sync.mbPerSecond());
          m.put("sync_failed_replicas", (double) sync.failed().size());
          m.put("policy_version", (double) learner.version());
          m.put("policy_lag", (double) (before - batch.oldestPolicyVersion()));
          m.put("rollouts", (double) batch.samples().size());
          int step = it + 1;
          ctx.reportStep(step, m);
          if (ctx.checkpointDue(step) || step == p.getIterations()) {
            ctx.checkpoint(
                new TrainerState(step, (long) step * perIteration, seed, base, Map.of()),
                learner::save);
          }
        }
      }
      Path policy = ctx.outputDir().resolve("policy");
      learner.exportPolicy(policy);
      TokenizerSource.copyInto(tokenizer, policy);
    }
  }
}
