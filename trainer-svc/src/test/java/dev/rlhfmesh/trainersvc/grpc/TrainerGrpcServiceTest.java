package dev.rlhfmesh.trainersvc.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListJobsRequest;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc.TrainerServiceBlockingStub;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import dev.rlhfmesh.trainersvc.data.AdditionTask;
import dev.rlhfmesh.trainersvc.data.CharTokenizer;
import dev.rlhfmesh.trainersvc.rollout.FakeModelReplica;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The job API over real gRPC, with the real learning core on the small default model and stand-in
 * downstream services (two model-svc replicas with real weight-admin servers, a rule reward).
 */
@QuarkusTest
@QuarkusTestResource(FakeDownstreams.class)
class TrainerGrpcServiceTest {
  @GrpcClient("self")
  Channel channel;

  @TestHTTPResource("/q/metrics")
  URL metrics;

  static Path data;
  static AdditionTask.Files files;

  @BeforeAll
  static void writeData() throws Exception {
    // Load the engine here, on the test thread, as a plain unit test would: the engine switches
    // autograd recording off only on its loading thread, and the learning core's own tests in this
    // JVM run on this thread (the trainer's job threads are covered by CoreLearners.noGrad).
    ai.djl.engine.Engine.getEngine("PyTorch");
    data = Files.createTempDirectory("trainer-grpc-test");
    files =
        new AdditionTask(new AdditionTask.Settings(3, 400, 0.35, 400, 0.1, 64, 100)).writeAll(data);
    CharTokenizer.write(data, CharTokenizer.ADDITION_ALPHABET);
  }

  private TrainerServiceBlockingStub stub() {
    return TrainerServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
  }

  static OptimizerSpec adam(double lr) {
    return OptimizerSpec.newBuilder().setLearningRate(lr).setWarmupSteps(1).setGradClip(1).build();
  }

  static JobSpec sft(int steps) {
    return JobSpec.newBuilder()
        .setName("sft")
        .setSeed(11)
        .setCheckpointEvery(2)
        .setKeepLastCheckpoints(1)
        .setSft(
            SftSpec.newBuilder()
                .setTokenizerDir(data.toString())
                .setTrainData(files.sft().toString())
                .setEvalFraction(0.2)
                .setSteps(steps)
                .setBatchSize(8)
                .setEvalEvery(2)
                .setOptimizer(adam(3e-3)))
        .build();
  }

  /** Every event of a watch until the stream ends. */
  private List<WatchJobResponse> watch(String id, int fromStep) {
    List<WatchJobResponse> out = new ArrayList<>();
    Iterator<WatchJobResponse> it =
        stub().watchJob(WatchJobRequest.newBuilder().setJobId(id).setFromStep(fromStep).build());
    it.forEachRemaining(out::add);
    return out;
  }

  private static List<Integer> steps(List<WatchJobResponse> events) {
    return events.stream()
        .filter(WatchJobResponse::hasMetrics)
        .map(e -> e.getMetrics().getStep())
        .toList();
  }

  private static JobState lastState(List<WatchJobResponse> events) {
    return events.stream()
        .filter(WatchJobResponse::hasState)
        .reduce((a, b) -> b)
        .orElseThrow()
        .getState()
        .getState();
  }

  private Job run(JobSpec spec) {
    Job job = stub().startJob(StartJobRequest.newBuilder().setSpec(spec).build()).getJob();
    List<WatchJobResponse> events = watch(job.getJobId(), 0);
    Job done = stub().getJob(GetJobRequest.newBuilder().setJobId(job.getJobId()).build()).getJob();
    assertEquals(JobState.JOB_STATE_SUCCEEDED, lastState(events), done.getError());
    return done;
  }

  private void assertInvalid(JobSpec spec, String field) {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub().startJob(StartJobRequest.newBuilder().setSpec(spec).build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(
        e.getStatus().getDescription().contains("'" + field + "'"), e.getStatus().getDescription());
  }

  @Test
  void health_reportsServing() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder()
                    .setService("rlhf.trainer.v1.TrainerService")
                    .build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void startJob_badSpecs_areInvalidArgumentNamingTheField() {
    assertInvalid(JobSpec.newBuilder().setName("x").build(), "spec.stage");
    assertInvalid(sft(0), "spec.sft.steps");
    assertInvalid(
        sft(4).toBuilder().setSft(sft(4).getSft().toBuilder().setTrainData("/nope.jsonl")).build(),
        "spec.sft.train_data");
    assertInvalid(
        sft(4).toBuilder().setSft(sft(4).getSft().toBuilder().setEvalFraction(0.7)).build(),
        "spec.sft.eval_fraction");
    assertInvalid(
        sft(4).toBuilder()
            .setSft(sft(4).getSft().toBuilder().setEvalData(files.sft().toString()))
            .build(),
        "spec.sft.eval_fraction");
    RewardModelSpec rm =
        RewardModelSpec.newBuilder()
            .setTrainData(files.preferences().toString())
            .setSteps(2)
            .setBatchSize(8)
            .setOptimizer(adam(1e-3))
            .build();
    assertInvalid(
        JobSpec.newBuilder().setRewardModel(rm.toBuilder().setEvalData("/nope/eval.jsonl")).build(),
        "spec.reward_model.eval_data");
    assertInvalid(
        JobSpec.newBuilder()
            .setRewardModel(
                rm.toBuilder().setEvalFraction(0.1).setEvalData(files.preferences().toString()))
            .build(),
        "spec.reward_model.eval_fraction");
    assertInvalid(
        JobSpec.newBuilder().setPpo(ppo("/tmp").toBuilder().setClipRange(0)).build(),
        "spec.ppo.clip_range");
  }

  @Test
  void unknownJob_isNotFound() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub().getJob(GetJobRequest.newBuilder().setJobId("job-missing").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void cancelJob_stopsARunningJob() {
    Job job = stub().startJob(StartJobRequest.newBuilder().setSpec(sft(100_000)).build()).getJob();
    Iterator<WatchJobResponse> it =
        stub().watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
    while (it.hasNext() && !it.next().hasMetrics()) {
      // wait for the first step
    }
    Job c =
        stub().cancelJob(CancelJobRequest.newBuilder().setJobId(job.getJobId()).build()).getJob();
    assertEquals(job.getJobId(), c.getJobId());
    JobState last = JobState.JOB_STATE_UNSPECIFIED;
    while (it.hasNext()) {
      WatchJobResponse r = it.next();
      if (r.hasState()) {
        last = r.getState().getState();
      }
    }
    assertEquals(JobState.JOB_STATE_CANCELLED, last);
  }

  @Test
  void cancelJob_abortsInFlightGenerateCallsAtOnce() throws Exception {
    Path model = Path.of(run(sft(2)).getOutputDir(), "model");
    // lag 0 collects on the job's thread, lag 1 on the rollout producer: both must be aborted
    for (int lag : new int[] {0, 1}) {
      FakeModelReplica[] replicas = FakeDownstreams.REPLICAS;
      int stalledBefore = replicas[0].stalledCalls.get() + replicas[1].stalledCalls.get();
      int cancelledBefore =
          replicas[0].cancelledStalledCalls.get() + replicas[1].cancelledStalledCalls.get();
      for (FakeModelReplica r : replicas) {
        r.stall = true;
      }
      try {
        JobSpec spec =
            JobSpec.newBuilder()
                .setSeed(3)
                .setPpo(ppo(model.toString()).toBuilder().setMaxPolicyLag(lag))
                .build();
        Job job = stub().startJob(StartJobRequest.newBuilder().setSpec(spec).build()).getJob();
        Iterator<WatchJobResponse> it =
            stub().watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
        // the job loads its learner, syncs weights, then its Generate calls hang on the fakes;
        // without the cancel they would hang until rlhf.trainer.call-timeout (120 s)
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replicas[0].stalledCalls.get() + replicas[1].stalledCalls.get() == stalledBefore) {
          assertTrue(System.nanoTime() < until, "no Generate call reached the fakes");
          Thread.sleep(10);
        }
        long t0 = System.nanoTime();
        stub().cancelJob(CancelJobRequest.newBuilder().setJobId(job.getJobId()).build());
        JobState last = JobState.JOB_STATE_UNSPECIFIED;
        while (it.hasNext()) {
          WatchJobResponse r = it.next();
          if (r.hasState()) {
            last = r.getState().getState();
          }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[trainer] lag %d: CANCELLED %d ms after the cancel%n", lag, ms);
        assertEquals(JobState.JOB_STATE_CANCELLED, last, "lag " + lag);
        assertTrue(ms < 20_000, "lag " + lag + ": CANCELLED " + ms + " ms after the cancel");
        int stalled =
            replicas[0].stalledCalls.get() + replicas[1].stalledCalls.get() - stalledBefore;
        until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (replicas[0].cancelledStalledCalls.get()
                + replicas[1].cancelledStalledCalls.get()
                - cancelledBefore
            < stalled) {
          assertTrue(
              System.nanoTime() < until, "lag " + lag + ": a hung Generate call was not cancelled");
          Thread.sleep(10);
        }
      } finally {
        for (FakeModelReplica r : replicas) {
          r.stall = false;
        }
      }
    }
  }

  static PpoSpec ppo(String policyDir) {
    return PpoSpec.newBuilder()
        .setPolicyModelDir(policyDir)
        .setReward("gold")
        .setPromptData(files.prompts().toString())
        .setIterations(3)
        .setPromptsPerIteration(4)
        .setSampling(SamplingParams.newBuilder().setN(2).setMaxNewTokens(4).setTemperature(1))
        .setKl(KlSpec.newBuilder().setBeta(0.1).setTargetKl(6))
        .setGamma(1)
        .setLam(0.95)
        .setClipRange(0.2)
        .setValueClipRange(0.2)
        .setValueCoef(0.1)
        .setPpoEpochs(2)
        .setMinibatchSize(4)
        .setWhitenAdvantages(true)
        .setOptimizer(adam(1e-4))
        .build();
  }

  @Test
  void sftThenRewardModelThenPpo_runOverGrpcWithMetricsCheckpointsAndWeightSync() throws Exception {
    Job sft = run(sft(4));
    assertEquals(4, sft.getStep());
    assertTrue(sft.getLatestMetricsMap().containsKey("eval_loss"), sft.toString());
    assertEquals(
        List.of(4),
        stub()
            .listCheckpoints(ListCheckpointsRequest.newBuilder().setJobId(sft.getJobId()).build())
            .getCheckpointsList()
            .stream()
            .map(c -> c.getStep())
            .toList(),
        "keep-last 1");
    Path model = Path.of(sft.getOutputDir(), "model");
    assertTrue(Files.isRegularFile(model.resolve("config.json")));
    assertTrue(Files.isRegularFile(model.resolve("tokenizer.json")));
    assertEquals(List.of(3, 4), steps(watch(sft.getJobId(), 3)), "replay from step 3");

    Path heldOutPairs = data.resolve("held-out-pairs.jsonl");
    Files.write(heldOutPairs, Files.readAllLines(files.preferences()).subList(0, 7));
    Job rm =
        run(
            JobSpec.newBuilder()
                .setSeed(5)
                .setRewardModel(
                    RewardModelSpec.newBuilder()
                        .setModelDir(model.toString())
                        .setTrainData(files.preferences().toString())
                        .setEvalData(heldOutPairs.toString())
                        .setSteps(2)
                        .setBatchSize(8)
                        .setOptimizer(adam(1e-3)))
                .build());
    assertTrue(rm.getLatestMetricsMap().containsKey("eval_accuracy"), rm.toString());
    assertEquals(
        7.0, rm.getLatestMetricsMap().get("eval_examples"), "the given eval file is the eval set");
    assertTrue(Files.isDirectory(Path.of(rm.getOutputDir(), "model")));

    int scoredBefore = FakeRewardService.SCORED.get();
    List<Integer> committedBefore =
        FakeDownstreams.COMMITTED.stream().map(List::size).toList(); // other tests push too
    Job ppo = run(JobSpec.newBuilder().setSeed(9).setPpo(ppo(model.toString())).build());
    assertEquals(3, ppo.getStep());
    for (String k :
        List.of(
            "reward_mean",
            "reward_std",
            "kl",
            "entropy",
            "policy_loss",
            "value_loss",
            "response_length",
            "tokens_per_s",
            "time_generate_ms",
            "time_reward_ms",
            "time_reference_ms",
            "time_learn_ms",
            "time_sync_ms",
            "sync_mb_per_s")) {
      assertTrue(
          ppo.getLatestMetricsMap().containsKey(k), k + " missing in " + ppo.getLatestMetricsMap());
    }
    assertEquals(
        3 * 4 * 2, FakeRewardService.SCORED.get() - scoredBefore, "every sample scored once");
    for (int r = 0; r < 2; r++) {
      List<Long> all = FakeDownstreams.COMMITTED.get(r);
      List<Long> versions = all.subList(committedBefore.get(r), all.size());
      assertEquals(4, versions.size(), "initial sync + one per iteration on replica " + r);
      for (int i = 1; i < versions.size(); i++) {
        assertEquals(versions.get(i - 1) + 1, versions.get(i));
      }
      assertTrue(
          FakeDownstreams.REPLICAS[r].generateCalls.get() > 0, "replica " + r + " served rollouts");
    }
    assertTrue(Files.isRegularFile(Path.of(ppo.getOutputDir(), "policy", "config.json")));

    List<String> newestFirst =
        stub().listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
            .map(Job::getJobId)
            .toList();
    assertTrue(
        newestFirst.indexOf(ppo.getJobId()) < newestFirst.indexOf(rm.getJobId())
            && newestFirst.indexOf(rm.getJobId()) < newestFirst.indexOf(sft.getJobId()),
        newestFirst.toString());

    String prom = new String(metrics.openStream().readAllBytes());
    List<String> gauge =
        prom.lines()
            .filter(l -> l.startsWith("rlhf_trainer_reward_mean{"))
            .filter(l -> l.contains("job=\"" + ppo.getJobId() + "\""))
            .toList();
    assertEquals(
        1,
        gauge.size(),
        "Prometheus gauge tagged by job id: "
            + prom.lines().filter(l -> l.contains("rlhf_trainer")).limit(8).toList());
  }
}
