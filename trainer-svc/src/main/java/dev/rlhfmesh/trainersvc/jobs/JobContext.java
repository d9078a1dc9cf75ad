package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** What a running stage sees of its job. */
public interface JobContext {
  String jobId();

  JobSpec spec();

  /** Directory for exported models and stage files. */
  Path outputDir();

  /** The checkpoint to resume from (the newest complete one), empty on a fresh start. */
  Optional<Path> resumeFrom();

  /** Cancelled by a user, or the trainer is shutting down: stop after the current step. */
  boolean stopRequested();

  /**
   * Registers {@code hook} to run as soon as a stop is requested (at once when one already was), so
   * a stage can abort what it has in flight — downstream calls — instead of waiting for the end of
   * its step. Close the handle when the stage no longer needs it.
   */
  default AutoCloseable onStop(Runnable hook) {
    return () -> {};
  }

  /** Records step {@code step}'s metrics (metrics.jsonl, watchers, gauges). */
  void reportStep(int step, Map<String, Double> values);

  /** Whether the spec asks for a checkpoint after this step. */
  default boolean checkpointDue(int step) {
    int every = spec().getCheckpointEvery();
    return every > 0 && step % every == 0;
  }

  /** Saves a checkpoint at {@code state.step()}; {@code learnerSave} writes the learner's files. */
  void checkpoint(TrainerState state, Consumer<Path> learnerSave);
}
