package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;

/** Receives a job's events in order. Called on the training thread: must not block. */
public interface JobListener {
  void onMetrics(String jobId, MetricsEvent event);

  void onState(String jobId, JobState state, String message);

  /** The job reached a final state; no event follows. */
  default void onEnd(String jobId) {}
}
