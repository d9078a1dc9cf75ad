package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;

/**
 * One training stage (SFT, reward model, PPO): runs a job from its start or from the checkpoint
 * {@link JobContext#resumeFrom()} names, reporting every step, until done or {@link
 * JobContext#stopRequested()}. Throws to fail the job.
 */
public interface StageRunner {
  /** Steps the spec plans (iterations for PPO). */
  int totalSteps(JobSpec spec);

  /** Checks what cannot be checked from the spec alone (files exist, tokenizer loads). */
  default void validate(JobSpec spec) {}

  void run(JobContext ctx) throws Exception;
}
