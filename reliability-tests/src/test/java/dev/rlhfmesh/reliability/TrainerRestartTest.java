package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * trainer-svc is killed with SIGKILL in the middle of a job and started again on the same job
 * directory: the job resumes from its newest checkpoint (the steps up to it are the first
 * process's, the steps after it the second's, each exactly once in {@code metrics.jsonl}) and ends
 * SUCCEEDED with an exported {@code model.safetensors} byte-identical to that of an uninterrupted
 * run of the same spec and seed in the same test. First an SFT job (trainer-svc alone), then a PPO
 * job against a real model-svc replica and reward-svc ({@code max_policy_lag} 0), whose starting
 * policy is the SFT run's export.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrainerRestartTest {
  /** SFT: 40 steps of 16 demonstrations, a checkpoint every 5, killed once step 12 is reported. */
  static final int SFT_STEPS = 40;

  static final int SFT_CHECKPOINT_EVERY = 5;
  static final int SFT_KILL_AT = 12;

  /** PPO: 6 iterations of 8 prompts x 2 samples, a checkpoint every 2, killed after iteration 3. */
  static final int PPO_ITERATIONS = 6;

  static final int PPO_CHECKPOINT_EVERY = 2;
  static final int PPO_KILL_AT = 3;

  private TrainerRig rig;
  private Path data;
  private Path sftModel;

  @BeforeAll
  void start() throws Exception {
    long t0 = System.nanoTime();
    rig = new TrainerRig();
    data = rig.writeAdditionData();
    rig.startTrainer();
    System.out.printf(
        "[reliability] trainer restart: task data + trainer-svc SERVING in %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  void stop() {
    if (rig != null) {
      rig.close();
    }
  }

  static OptimizerSpec.Builder optimizer() {
    return OptimizerSpec.newBuilder()
        .setLearningRate(3e-3)
        .setWarmupSteps(2)
        .setWeightDecay(0.01)
        .setGradClip(1.0)
        .setMinLrRatio(0.1);
  }

  JobSpec sftSpec() {
    return JobSpec.newBuilder()
        .setName("restart-sft")
        .setSeed(7)
        .setCheckpointEvery(SFT_CHECKPOINT_EVERY)
        .setKeepLastCheckpoints(2)
        .setSft(
            SftSpec.newBuilder()
                .setTokenizerDir(data.toString())
                .setTrainData(data.resolve("sft.jsonl").toString())
                .setSteps(SFT_STEPS)
                .setBatchSize(16)
                .setOptimizer(optimizer()))
        .build();
  }

  JobSpec ppoSpec() {
    return JobSpec.newBuilder()
        .setName("restart-ppo")
        .setSeed(11)
        .setCheckpointEvery(PPO_CHECKPOINT_EVERY)
        .setKeepLastCheckpoints(2)
        .setPpo(
            PpoSpec.newBuilder()
                .setPolicyModelDir(sftModel.toString())
                .setReward("shaped-answer")
                .setPromptData(data.resolve("prompts.jsonl").toString())
                .setIterations(PPO_ITERATIONS)
                .setPromptsPerIteration(8)
                .setSampling(
                    SamplingParams.newBuilder().setTemperature(1.0f).setMaxNewTokens(4).setN(2))
                .setKl(KlSpec.newBuilder().setBeta(0.05).setTargetKl(8.0))
                .setEstimator(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GRPO)
                .setClipRange(0.2)
                .setPpoEpochs(1)
                .setMinibatchSize(16)
                .setOptimizer(optimizer().setMinLrRatio(1.0))
                .setMaxPolicyLag(0)
                .setPolicyModel("policy")
                .setReferenceModel("reference"))
        .build();
  }

  @Test
  @Order(1)
  void sftJobKilledMidRunResumesFromItsCheckpointToTheSameWeights() throws Exception {
    KillAndResume r =
        killAndResume(sftSpec(), SFT_KILL_AT, SFT_CHECKPOINT_EVERY, List.of("loss", "lr"));
    Path ref = Path.of(r.reference.getOutputDir()).resolve("model");
    sftModel = ref;
    assertSameFile(ref, Path.of(r.resumed.getOutputDir()).resolve("model"));
  }

  @Test
  @Order(2)
  void ppoJobKilledMidRunResumesFromItsCheckpointToTheSameWeights() throws Exception {
    assertNotNull(sftModel, "the SFT test exports the PPO job's starting policy");
    long t0 = System.nanoTime();
    rig.startModelAndReward(sftModel);
    System.out.printf(
        "[reliability] trainer restart: model-svc + reward-svc SERVING in %d ms%n",
        (System.nanoTime() - t0) / 1_000_000);
    KillAndResume r =
        killAndResume(
            ppoSpec(),
            PPO_KILL_AT,
            PPO_CHECKPOINT_EVERY,
            List.of("reward_mean", "kl", "policy_loss", "rollouts"));
    Path ref = Path.of(r.reference.getOutputDir()).resolve("policy");
    // the comparison means something only if PPO moved the weights away from its start
    assertNotEquals(
        -1L,
        Files.mismatch(sftModel.resolve("model.safetensors"), ref.resolve("model.safetensors")),
        "PPO left the policy unchanged");
    assertSameFile(ref, Path.of(r.resumed.getOutputDir()).resolve("policy"));
  }

  static void assertSameFile(Path refDir, Path resumedDir) throws Exception {
    Path a = refDir.resolve("model.safetensors");
    Path b = resumedDir.resolve("model.safetensors");
    assertTrue(Files.isRegularFile(a) && Files.isRegularFile(b), a + " / " + b);
    assertEquals(
        -1L,
        Files.mismatch(a, b),
        "exported weights differ: " + a + " (" + Files.size(a) + " B) vs " + b);
  }

  /** The uninterrupted reference job and the killed-and-resumed one, as they ended. */
  record KillAndResume(Job reference, Job resumed) {}

  /**
   * Runs {@code spec} once uninterrupted, then again with a SIGKILL of trainer-svc once step {@code
   * killAt} is reported and a restart on the same directory; checks the resume point, the metrics
   * file and that the {@code sameValues} metrics of every step equal the reference run's.
   */
  KillAndResume killAndResume(
      JobSpec spec, int killAt, int checkpointEvery, List<String> sameValues) throws Exception {
    int total = spec.hasSft() ? spec.getSft().getSteps() : spec.getPpo().getIterations();
    String kind = spec.hasSft() ? "sft" : "ppo";

    long t0 = System.nanoTime();
    Job ref = rig.stub().startJob(StartJobRequest.newBuilder().setSpec(spec).build()).getJob();
    JobWatch.Result refRun = JobWatch.follow(rig.trainer().channel(), ref.getJobId(), 0, e -> {});
    long refMs = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(JobState.JOB_STATE_SUCCEEDED, refRun.end(), kind + " reference: " + refRun);
    assertEquals(total, refRun.metrics().size(), kind + " reference steps");

    long t1 = System.nanoTime();
    Job victim = rig.stub().startJob(StartJobRequest.newBuilder().setSpec(spec).build()).getJob();
    String id = victim.getJobId();
    long[] killedAtMs = {0};
    int[] killedAfterStep = {0};
    JobWatch.Result first =
        JobWatch.follow(
            rig.trainer().channel(),
            id,
            0,
            e -> {
              if (e.getStep() >= killAt && killedAtMs[0] == 0) {
                killedAfterStep[0] = e.getStep();
                killedAtMs[0] = System.currentTimeMillis();
                try {
                  rig.killTrainer();
                } catch (InterruptedException ie) {
                  Thread.currentThread().interrupt();
                  throw new IllegalStateException(ie);
                }
              }
            });
    long killMs = (System.nanoTime() - t1) / 1_000_000;
    assertTrue(killedAtMs[0] > 0, kind + ": the job ended before step " + killAt + ": " + first);
    assertNotNull(first.broken(), kind + ": the watch stream ended cleanly after a SIGKILL");

    // What the dead process left: the job RUNNING mid-way, complete checkpoints only.
    Job onDisk = JobFiles.job(rig.jobDir(id));
    assertEquals(JobState.JOB_STATE_RUNNING, onDisk.getState(), kind + " job.json after the kill");
    assertTrue(onDisk.getStep() < total, kind + ": killed too late, step " + onDisk.getStep());
    int resumeFrom = JobFiles.newestCheckpoint(rig.jobDir(id));
    assertTrue(
        resumeFrom >= checkpointEvery && resumeFrom <= onDisk.getStep() && resumeFrom < total,
        kind + ": newest checkpoint " + resumeFrom + ", job.json step " + onDisk.getStep());

    long restartAtMs = System.currentTimeMillis();
    long t2 = System.nanoTime();
    rig.startTrainer();
    long servingMs = (System.nanoTime() - t2) / 1_000_000;
    JobWatch.Result second = JobWatch.follow(rig.trainer().channel(), id, 0, e -> {});
    long resumeMs = (System.nanoTime() - t2) / 1_000_000;
    assertEquals(JobState.JOB_STATE_SUCCEEDED, second.end(), kind + " resumed: " + second);
    Job done = rig.stub().getJob(GetJobRequest.newBuilder().setJobId(id).build()).getJob();
    assertEquals(JobState.JOB_STATE_SUCCEEDED, done.getState(), done.getError());
    assertEquals(total, done.getStep());

    // metrics.jsonl: steps 1..total once each; up to the checkpoint written before the kill (kept),
    // after it written by the new process (recomputed, not appended twice).
    List<JobFiles.Step> steps = JobFiles.metrics(rig.jobDir(id));
    assertEquals(total, steps.size(), kind + " metrics.jsonl: " + steps);
    for (int i = 0; i < total; i++) {
      JobFiles.Step s = steps.get(i);
      assertEquals(i + 1, s.step(), kind + " metrics.jsonl line " + (i + 1));
      if (s.step() <= resumeFrom) {
        assertTrue(s.timeMs() <= killedAtMs[0], kind + " step " + s.step() + " rewritten");
      } else {
        assertTrue(s.timeMs() >= restartAtMs, kind + " step " + s.step() + " not recomputed");
      }
      Map<String, Double> want = refRun.metrics().get(i).getValuesMap();
      for (String k : sameValues) {
        assertEquals(want.get(k), s.values().get(k), kind + " step " + s.step() + " " + k);
      }
    }
    System.out.printf(
        "[reliability] trainer restart %s: %d steps, checkpoint every %d; uninterrupted run %d ms;"
            + " killed (SIGKILL) after step %d (%d ms in; job.json step %d, newest checkpoint %d);"
            + " restarted trainer SERVING in %d ms, job SUCCEEDED %d ms after the restart;"
            + " watch error at the kill: %s%n",
        kind,
        total,
        checkpointEvery,
        refMs,
        killedAfterStep[0],
        killMs,
        onDisk.getStep(),
        resumeFrom,
        servingMs,
        resumeMs,
        first.broken().getStatus().getCode());
    return new KillAndResume(ref, done);
  }
}
