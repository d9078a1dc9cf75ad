package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.trainer.v1.Checkpoint;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobKind;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Jobs: start, get, watch, cancel, list, checkpoints. Each job runs its {@link StageRunner} on one
 * of {@code maxRunning} training threads; its state and metrics go to the {@link JobStore} as they
 * change, so a new manager on the same directory ({@link #resumeInterrupted()}) continues every job
 * that was RUNNING or QUEUED from its newest checkpoint.
 */
public final class JobManager implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(JobManager.class.getName());

  private final JobStore store;
  private final Function<JobKind, StageRunner> stages;
  private final Clock clock;
  private final ExecutorService executor;
  private final Map<String, LiveJob> jobs = new ConcurrentHashMap<>();
  private final List<JobListener> globalListeners = new CopyOnWriteArrayList<>();
  private volatile boolean shuttingDown;

  public JobManager(
      JobStore store, Function<JobKind, StageRunner> stages, int maxRunning, Clock clock) {
    this.store = store;
    this.stages = stages;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            Math.max(1, maxRunning),
            r -> {
              Thread t = new Thread(r, "trainer-job-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    for (Job job : store.loadAll()) {
      jobs.put(job.getJobId(), new LiveJob(job, store.readMetrics(job.getJobId())));
    }
  }

  /** Listener for every job's events (Prometheus gauges, logs). */
  public void addGlobalListener(JobListener listener) {
    globalListeners.add(listener);
  }

  /** Validates the spec and queues the job; returns it QUEUED. */
  public Job start(JobSpec spec) {
    SpecValidator.validate(spec);
    JobKind kind = SpecValidator.kind(spec);
    StageRunner stage = stages.apply(kind);
    stage.validate(spec);
    String id = "job-" + UUID.randomUUID().toString().substring(0, 8);
    long now = clock.millis();
    Job job =
        Job.newBuilder()
            .setJobId(id)
            .setSpec(spec)
            .setKind(kind)
            .setState(JobState.JOB_STATE_QUEUED)
            .setTotalSteps(stage.totalSteps(spec))
            .setCreatedAtMs(now)
            .setUpdatedAtMs(now)
            .setOutputDir(store.jobDir(id).toAbsolutePath().toString())
            .build();
    store.save(job);
    LiveJob live = new LiveJob(job, List.of());
    jobs.put(id, live);
    executor.submit(() -> runJob(live));
    return job;
  }

  /** Requeues every job that was RUNNING or QUEUED when the previous trainer stopped. */
  public int resumeInterrupted() {
    int n = 0;
    for (LiveJob live : jobs.values()) {
      JobState s = live.job().getState();
      if (s == JobState.JOB_STATE_RUNNING || s == JobState.JOB_STATE_QUEUED) {
        executor.submit(() -> runJob(live));
        n++;
      }
    }
    return n;
  }

  public Job get(String jobId) {
    return live(jobId).job();
  }

  /** Jobs, newest first; {@code UNSPECIFIED} = all states. */
  public List<Job> list(JobState state) {
    return jobs.values().stream()
        .map(LiveJob::job)
        .filter(j -> state == JobState.JOB_STATE_UNSPECIFIED || j.getState() == state)
        .sorted(
            Comparator.comparingLong(Job::getCreatedAtMs).thenComparing(Job::getJobId).reversed())
        .toList();
  }

  /**
   * Asks the job to stop: its in-flight downstream calls are aborted at once (stages register them
   * through {@link JobContext#onStop}), otherwise it stops after its current step; a queued job is
   * cancelled at once.
   */
  public Job cancel(String jobId) {
    LiveJob live = live(jobId);
    live.requestCancel();
    synchronized (live) {
      if (live.job().getState() == JobState.JOB_STATE_QUEUED) {
        finish(live, JobState.JOB_STATE_CANCELLED, "cancelled before it started");
      }
    }
    return live.job();
  }

  /** Current state, history from {@code fromStep}, then live events; close to stop watching. */
  public AutoCloseable watch(String jobId, int fromStep, JobListener listener) {
    Runnable unsubscribe = live(jobId).subscribe(fromStep, listener);
    return unsubscribe::run;
  }

  public List<Checkpoint> checkpoints(String jobId) {
    live(jobId);
    return new CheckpointStore(store.jobDir(jobId)).list();
  }

  /** Stops training threads; running jobs stay RUNNING on disk and resume on the next start. */
  @Override
  public void close() {
    shuttingDown = true;
    jobs.values().forEach(LiveJob::stopInFlight);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private LiveJob live(String jobId) {
    LiveJob live = jobs.get(jobId);
    if (live == null) {
      throw ServiceException.notFound("job", jobId);
    }
    return live;
  }

  private void runJob(LiveJob live) {
    if (shuttingDown || LiveJob.isFinal(live.job().getState())) {
      return;
    }
    String id = live.job().getJobId();
    try {
      CheckpointStore checkpoints = new CheckpointStore(store.jobDir(id));
      Optional<Path> resume = checkpoints.latest().map(c -> Path.of(c.getPath()));
      List<MetricsEvent> history = resume.map(CheckpointStore::readHistory).orElse(List.of());
      int step = resume.map(p -> CheckpointStore.readState(p).step()).orElse(0);
      store.rewriteMetrics(id, history);
      live.replaceHistory(history);
      Map<String, Double> latest =
          history.isEmpty() ? Map.of() : history.get(history.size() - 1).getValuesMap();
      synchronized (live) {
        if (LiveJob.isFinal(live.job().getState())) {
          return; // cancelled while queued
        }
        transition(
            live,
            JobState.JOB_STATE_RUNNING,
            resume.map(p -> "resumed from " + p.getFileName()).orElse("started"),
            b -> b.setStep(step).clearLatestMetrics().putAllLatestMetrics(latest).clearError());
      }
      StageRunner stage = stages.apply(live.job().getKind());
      stage.run(new Context(live, checkpoints, resume));
      if (shuttingDown) {
        return;
      }
      if (live.cancelRequested) {
        finish(live, JobState.JOB_STATE_CANCELLED, "cancelled at step " + live.job().getStep());
      } else {
        finish(live, JobState.JOB_STATE_SUCCEEDED, "finished " + live.job().getStep() + " steps");
      }
    } catch (Throwable t) {
      if (shuttingDown) {
        LOG.log(Level.INFO, "job " + id + " interrupted by shutdown; it resumes on restart", t);
        return;
      }
      if (live.cancelRequested) {
        // the cancel aborted a step half way (e.g. its in-flight rollout calls): that is the cancel
        LOG.log(Level.INFO, "job " + id + " cancelled mid-step: " + t);
        finish(live, JobState.JOB_STATE_CANCELLED, "cancelled at step " + live.job().getStep());
        return;
      }
      LOG.log(Level.WARNING, "job " + id + " failed", t);
      String msg = t.getMessage() == null ? t.toString() : t.getMessage();
      finish(live, JobState.JOB_STATE_FAILED, msg);
    }
  }

  private void finish(LiveJob live, JobState state, String message) {
    transition(
        live, state, message, b -> state == JobState.JOB_STATE_FAILED ? b.setError(message) : b);
  }

  private void transition(
      LiveJob live,
      JobState state,
      String message,
      java.util.function.UnaryOperator<Job.Builder> f) {
    synchronized (live) {
      Job job = live.update(b -> f.apply(b.setState(state)), clock.millis());
      store.save(job);
      live.state(state, message);
    }
    for (JobListener l : globalListeners) {
      l.onState(live.job().getJobId(), state, message);
    }
  }

  /** The {@link JobContext} of one run of one job. */
  private final class Context implements JobContext {
    private final LiveJob live;
    private final CheckpointStore checkpoints;
    private final Optional<Path> resume;

    Context(LiveJob live, CheckpointStore checkpoints, Optional<Path> resume) {
      this.live = live;
      this.checkpoints = checkpoints;
      this.resume = resume;
    }

    @Override
    public String jobId() {
      return live.job().getJobId();
    }

    @Override
    public JobSpec spec() {
      return live.job().getSpec();
    }

    @Override
    public Path outputDir() {
      return store.jobDir(jobId());
    }

    @Override
    public Optional<Path> resumeFrom() {
      return resume;
    }

    @Override
    public boolean stopRequested() {
      return live.cancelRequested || shuttingDown;
    }

    @Override
    public AutoCloseable onStop(Runnable hook) {
      AutoCloseable handle = live.onStop(hook);
      if (shuttingDown) {
        hook.run();
      }
      return handle;
    }

    @Override
    public void reportStep(int step, Map<String, Double> values) {
      MetricsEvent event =
          MetricsEvent.newBuilder()
              .setStep(step)
              .putAllValues(values)
              .setTimeMs(clock.millis())
              .build();
      store.appendMetrics(jobId(), event);
      synchronized (live) {
        store.save(
            live.update(
                b -> b.setStep(step).clearLatestMetrics().putAllLatestMetrics(values),
                clock.millis()));
        live.metrics(event);
      }
      for (JobListener l : globalListeners) {
        l.onMetrics(jobId(), event);
      }
    }

    @Override
    public void checkpoint(TrainerState state, Consumer<Path> learnerSave) {
      List<MetricsEvent> upTo =
          live.history().stream().filter(e -> e.getStep() <= state.step()).toList();
      checkpoints.save(state, upTo, spec().getKeepLastCheckpoints(), learnerSave);
    }
  }
}
