package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One job in memory: its current {@link Job} message, its metrics history and its watchers. Every
 * change and every subscription happens under this object's lock, so a watcher sees the history and
 * then the live events with no gap and no duplicate.
 */
final class LiveJob {
  private Job job;
  private final List<MetricsEvent> history;
  private final List<JobListener> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> stopHooks = new CopyOnWriteArrayList<>();
  volatile boolean cancelRequested;

  LiveJob(Job job, List<MetricsEvent> history) {
    this.job = job;
    this.history = new ArrayList<>(history);
  }

  /** Marks the job cancelled and aborts what its run has in flight ({@link #stopInFlight}). */
  void requestCancel() {
    cancelRequested = true;
    stopInFlight();
  }

  /** Runs every registered stop hook (the run's in-flight downstream calls end at once). */
  void stopInFlight() {
    for (Runnable hook : stopHooks) {
      hook.run();
    }
  }

  /**
   * Registers a hook run when the job is cancelled or the trainer shuts down (at once when a cancel
   * was already requested); closing the handle removes it.
   */
  AutoCloseable onStop(Runnable hook) {
    stopHooks.add(hook);
    if (cancelRequested) {
      hook.run(); // requested before the hook existed; hooks must tolerate a second run
    }
    return () -> stopHooks.remove(hook);
  }

  synchronized Job job() {
    return job;
  }

  synchronized List<MetricsEvent> history() {
    return List.copyOf(history);
  }

  synchronized void replaceHistory(List<MetricsEvent> events) {
    history.clear();
    history.addAll(events);
  }

  synchronized Job update(java.util.function.UnaryOperator<Job.Builder> change, long nowMs) {
    job = change.apply(job.toBuilder()).setUpdatedAtMs(nowMs).build();
    return job;
  }

  /** Appends a step's metrics and tells every watcher. */
  synchronized void metrics(MetricsEvent event) {
    history.add(event);
    for (JobListener l : listeners) {
      l.onMetrics(job.getJobId(), event);
    }
  }

  /** Tells every watcher of a state change; a final state ends every watch. */
  synchronized void state(JobState state, String message) {
    for (JobListener l : listeners) {
      l.onState(job.getJobId(), state, message);
    }
    if (isFinal(state)) {
      for (JobListener l : listeners) {
        l.onEnd(job.getJobId());
      }
      listeners.clear();
    }
  }

  /**
   * Sends the current state and the history from {@code fromStep} to a new watcher, then registers
   * it for live events (or ends it at once when the job is over).
   */
  synchronized Runnable subscribe(int fromStep, JobListener listener) {
    listener.onState(job.getJobId(), job.getState(), job.getError());
    for (MetricsEvent e : history) {
      if (e.getStep() >= fromStep) {
        listener.onMetrics(job.getJobId(), e);
      }
    }
    if (isFinal(job.getState())) {
      listener.onEnd(job.getJobId());
      return () -> {};
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  static boolean isFinal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED
        || s == JobState.JOB_STATE_FAILED
        || s == JobState.JOB_STATE_CANCELLED;
  }
}
