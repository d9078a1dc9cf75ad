package dev.rlhfmesh.trainersvc.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobManagerTest {
  @TempDir Path dir;

  static JobSpec spec(int steps, int checkpointEvery, int keepLast) {
    return JobSpec.newBuilder()
        .setName("counting")
        .setSeed(42)
        .setCheckpointEvery(checkpointEvery)
        .setKeepLastCheckpoints(keepLast)
        .setSft(
            SftSpec.newBuilder()
                .setTrainData("unused.jsonl")
                .setSteps(steps)
                .setBatchSize(4)
                .setOptimizer(OptimizerSpec.newBuilder().setLearningRate(1e-3)))
        .build();
  }

  private JobManager manager(Path root, CountingStage stage) {
    return new JobManager(new JobStore(root), k -> stage, 1, Clock.systemUTC());
  }

  private static Job await(JobManager m, String id, JobState state) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      Job j = m.get(id);
      if (j.getState() == state) {
        return j;
      }
      Thread.sleep(10);
    }
    throw new AssertionError("job " + id + " never reached " + state + ": " + m.get(id));
  }

  @Test
  void start_runsToSucceededWithStepsMetricsAndKeepLastCheckpoints() throws Exception {
    try (JobManager m = manager(dir, new CountingStage())) {
      Job started = m.start(spec(10, 2, 2));
      assertEquals(10, started.getTotalSteps());
      Job done = await(m, started.getJobId(), JobState.JOB_STATE_SUCCEEDED);
      assertEquals(10, done.getStep());
      assertEquals(0.1, done.getLatestMetricsOrThrow("loss"), 1e-12);
      assertEquals(
          List.of(8, 10), m.checkpoints(done.getJobId()).stream().map(c -> c.getStep()).toList());
      assertEquals(10, new JobStore(dir).readMetrics(done.getJobId()).size());
    }
  }

  @Test
  void watch_replaysFromStepThenStreamsLiveUntilTheEnd() throws Exception {
    CountingStage stage = new CountingStage();
    stage.gate = new Semaphore(3);
    try (JobManager m = manager(dir, stage)) {
      String id = m.start(spec(6, 0, 0)).getJobId();
      for (int i = 0; i < 500 && m.get(id).getStep() < 3; i++) {
        Thread.sleep(10);
      }
      List<Integer> steps = new CopyOnWriteArrayList<>();
      List<JobState> states = new CopyOnWriteArrayList<>();
      CountDownLatch ended = new CountDownLatch(1);
      m.watch(
          id,
          2,
          new JobListener() {
            @Override
            public void onMetrics(String jobId, MetricsEvent event) {
              steps.add(event.getStep());
            }

            @Override
            public void onState(String jobId, JobState state, String message) {
              states.add(state);
            }

            @Override
            public void onEnd(String jobId) {
              ended.countDown();
            }
          });
      stage.gate.release(3);
      assertTrue(ended.await(10, TimeUnit.SECONDS));
      assertEquals(List.of(2, 3, 4, 5, 6), steps, "history from step 2, then live, no gap/dup");
      assertEquals(JobState.JOB_STATE_RUNNING, states.get(0));
      assertEquals(JobState.JOB_STATE_SUCCEEDED, states.get(states.size() - 1));
    }
  }

  @Test
  void cancel_stopsAfterTheCurrentStepAndKeepsCheckpoints() throws Exception {
    CountingStage stage = new CountingStage();
    stage.gate = new Semaphore(4);
    try (JobManager m = manager(dir, stage)) {
      String id = m.start(spec(100, 2, 0)).getJobId();
      for (int i = 0; i < 500 && m.get(id).getStep() < 4; i++) {
        Thread.sleep(10);
      }
      m.cancel(id);
      stage.gate.release(1); // the step in progress finishes, then the stage sees the request
      Job j = await(m, id, JobState.JOB_STATE_CANCELLED);
      assertTrue(j.getStep() >= 4 && j.getStep() <= 5, "stopped at " + j.getStep());
      assertEquals(List.of(2, 4), m.checkpoints(id).stream().map(c -> c.getStep()).toList());
    }
  }

  @Test
  void failure_marksFailedWithTheMessage() throws Exception {
    CountingStage stage = new CountingStage();
    stage.failAt = 3;
    try (JobManager m = manager(dir, stage)) {
      String id = m.start(spec(5, 0, 0)).getJobId();
      Job j = await(m, id, JobState.JOB_STATE_FAILED);
      assertEquals("boom at step 3", j.getError());
      assertEquals(2, j.getStep());
    }
  }

  @Test
  void restart_resumesARunningJobFromItsCheckpointToTheSameFinalWeights() throws Exception {
    Path uninterrupted = dir.resolve("a");
    String reference;
    try (JobManager m = manager(uninterrupted, new CountingStage())) {
      String id = m.start(spec(9, 3, 0)).getJobId();
      await(m, id, JobState.JOB_STATE_SUCCEEDED);
      reference = CountingStage.read(new JobStore(uninterrupted).jobDir(id).resolve("model"));
    }

    Path killed = dir.resolve("b");
    CountingStage stage = new CountingStage();
    stage.gate = new Semaphore(5); // steps 1..5 run, a checkpoint at 3, then the trainer "dies"
    String id;
    JobManager first = manager(killed, stage);
    id = first.start(spec(9, 3, 0)).getJobId();
    for (int i = 0; i < 500 && first.get(id).getStep() < 5; i++) {
      Thread.sleep(10);
    }
    Thread t = new Thread(first::close);
    t.start();
    while (t.getState() != Thread.State.TIMED_WAITING && t.isAlive()) {
      Thread.sleep(5); // close() has flagged the shutdown and waits for the training thread
    }
    stage.gate.release(100);
    t.join();
    assertEquals(
        JobState.JOB_STATE_RUNNING, new JobStore(killed).load(id).orElseThrow().getState());

    try (JobManager second = manager(killed, new CountingStage())) {
      assertEquals(5, second.get(id).getStep(), "state and history survive the restart");
      assertEquals(1, second.resumeInterrupted());
      Job done = await(second, id, JobState.JOB_STATE_SUCCEEDED);
      assertEquals(9, done.getStep());
      assertEquals(reference, CountingStage.read(new JobStore(killed).jobDir(id).resolve("model")));
      List<Integer> steps =
          new JobStore(killed).readMetrics(id).stream().map(MetricsEvent::getStep).toList();
      assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), steps, "steps 4-5 recomputed once");
    }
  }

  @Test
  void unknownJob_isNotFound() {
    try (JobManager m = manager(dir, new CountingStage())) {
      ServiceException e = assertThrows(ServiceException.class, () -> m.get("job-nope"));
      assertEquals(ErrorKind.NOT_FOUND, e.kind());
    }
  }
}
