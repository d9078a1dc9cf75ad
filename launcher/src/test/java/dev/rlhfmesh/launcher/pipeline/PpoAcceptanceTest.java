package dev.rlhfmesh.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.report.RunRecord;
import dev.rlhfmesh.launcher.task.AdditionTask;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's acceptance, over real processes on loopback: tokenizer-svc, two model-svc replicas,
 * reward-svc and trainer-svc. A short SFT gives the policy the task's format; PPO against a
 * rule-based reward (the answer starts with a 9) must raise the mean reward well above its start
 * while the KL to the reference stays under its target; a second PPO job loses one model-svc
 * replica mid-way and still completes with every rollout counted once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PpoAcceptanceTest {
  private static final int PROMPTS = 32;
  private static final double TARGET_KL = 8.0;

  @TempDir static Path runDir;
  private LocalCluster cluster;
  private JobFollower jobs;
  private final RunRecord record = new RunRecord();
  private Path sftModel;
  private Path prompts;
  private final PrintStream out = System.out;

  @BeforeAll
  void startClusterAndSft() throws Exception {
    Path repo = Path.of("..").toAbsolutePath().normalize();
    AdditionTask.TaskFiles data =
        new AdditionTask(3, 0.0, 0.1, 100).write(runDir.resolve("data"), 3000, 10);
    prompts = data.prompts();
    cluster = new LocalCluster(repo, runDir, 2);
    ServiceProcess tok = cluster.startTokenizer(null);
    var stub = TokenizerServiceGrpc.newBlockingStub(tok.channel());
    int vocab =
        256
            + stub.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance())
                .getSpecialTokensCount();
    Path tokenizerDir = runDir.resolve("tokenizer");
    stub.trainTokenizer(
        TrainTokenizerRequest.newBuilder()
            .addCorpusFiles(data.sft().toString())
            .setVocabSize(vocab)
            .setOutputDir(tokenizerDir.toString())
            .setLoadAfterTraining(true)
            .build());
    ServiceProcess trainer = cluster.startTrainer(tokenizerDir);
    jobs = new JobFollower(trainer.channel(), record, out);
    SftSpec sft =
        SftSpec.newBuilder()
            .setTrainData(data.sft().toString())
            .setSteps(60)
            .setBatchSize(32)
            .setOptimizer(
                OptimizerSpec.newBuilder().setLearningRate(3e-3).setWarmupSteps(5).setGradClip(1.0))
            .build();
    Job done =
        jobs.run(
            "sft",
            JobSpec.newBuilder().setName("acceptance-sft").setSeed(3).setSft(sft).build(),
            60,
            List.of("loss"),
            null);
    sftModel = DemoPipeline.exportedModel(done);
    cluster.startModels(sftModel, sftModel, tokenizerDir);
    cluster.startReward(
        Map.of(
            "rlhf.reward.specs.starts-with-9.type", "regex",
            "rlhf.reward.specs.starts-with-9.pattern", "^9",
            "rlhf.reward.specs.starts-with-9.match", "find"));
  }

  @AfterAll
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private JobSpec ppo(String name, int iterations) {
    PpoSpec p =
        PpoSpec.newBuilder()
            .setPolicyModelDir(sftModel.toString())
            .setReward("starts-with-9")
            .setPromptData(prompts.toString())
            .setIterations(iterations)
            .setPromptsPerIteration(PROMPTS)
            .setSampling(
                SamplingParams.newBuilder().setTemperature(1.0f).setMaxNewTokens(4).setN(2))
            .setKl(KlSpec.newBuilder().setBeta(0.05).setTargetKl(TARGET_KL))
            .setEstimator(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GRPO)
            .setClipRange(0.2)
            .setPpoEpochs(2)
            .setMinibatchSize(32)
            .setOptimizer(
                OptimizerSpec.newBuilder()
                    .setLearningRate(3e-3)
                    .setGradClip(1.0)
                    .setMinLrRatio(1.0))
            .setPolicyModel("policy")
            .setReferenceModel("reference")
            .build();
    return JobSpec.newBuilder().setName(name).setSeed(5).setPpo(p).build();
  }

  @Test
  @Order(1)
  void ppo_raisesTheRuleRewardWellAboveItsStart_withKlUnderTarget() throws Exception {
    int iterations = 12;
    jobs.run(
        "ppo", ppo("acceptance-ppo", iterations), iterations, List.of("reward_mean", "kl"), null);
    List<double[]> reward = record.series("ppo", "reward_mean");
    assertEquals(iterations, reward.size());
    double start = (reward.get(0)[1] + reward.get(1)[1]) / 2;
    double end = (reward.get(iterations - 2)[1] + reward.get(iterations - 1)[1]) / 2;
    out.printf("reward_mean start %.3f end %.3f%n", start, end);
    assertTrue(end > start + 0.3, "reward " + start + " -> " + end);
    double kl = record.series("ppo", "kl").get(iterations - 1)[1];
    assertTrue(kl < TARGET_KL, "final KL " + kl + " over target " + TARGET_KL);
  }

  @Test
  @Order(2)
  void ppo_completesWhenAModelReplicaDiesMidJob_withNoRolloutLostOrCountedTwice() throws Exception {
    int iterations = 5;
    ServiceProcess victim = cluster.models().get(1);
    AtomicBoolean killed = new AtomicBoolean();
    jobs.run(
        "ppo-fault",
        ppo("acceptance-ppo-fault", iterations),
        iterations,
        List.of("reward_mean", "rollouts"),
        (step, values) -> {
          if (step == 2 && killed.compareAndSet(false, true)) {
            victim.kill();
          }
        });
    assertTrue(killed.get(), "the replica was killed mid-job");
    assertFalse(victim.isAlive());
    List<double[]> rollouts = record.series("ppo-fault", "rollouts");
    assertEquals(iterations, rollouts.size());
    for (double[] r : rollouts) {
      assertEquals(PROMPTS * 2, r[1], 0.0, "iteration " + (int) r[0] + " rollouts");
    }
  }
}
