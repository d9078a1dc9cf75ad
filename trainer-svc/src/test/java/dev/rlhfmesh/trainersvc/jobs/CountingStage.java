package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.trainersvc.data.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Semaphore;

/**
 * A stand-in stage whose "weights" are one long folded from (seed, step) each step and saved in
 * checkpoints: a resumed run ends with the same value as an uninterrupted one only if the job layer
 * resumes from the right step with the right state. Steps can be gated by permits.
 */
final class CountingStage implements StageRunner {
  /** Steps may run only while permits are available (null: free running). */
  volatile Semaphore gate;

  /** Throws at this step (0: never). */
  volatile int failAt;

  @Override
  public int totalSteps(JobSpec spec) {
    return spec.getSft().getSteps();
  }

  @Override
  public void run(JobContext ctx) throws Exception {
    long seed = ctx.spec().getSeed();
    int steps = totalSteps(ctx.spec());
    long weights =
        ctx.resumeFrom().isPresent()
            ? Long.parseLong(read(CheckpointStore.learnerDir(ctx.resumeFrom().get())))
            : seed;
    int start = ctx.resumeFrom().map(p -> CheckpointStore.readState(p).step()).orElse(0);
    for (int step = start + 1; step <= steps; step++) {
      if (ctx.stopRequested()) {
        return;
      }
      Semaphore g = gate;
      if (g != null) {
        g.acquire();
        if (ctx.stopRequested()) {
          return;
        }
      }
      if (step == failAt) {
        throw new IllegalStateException("boom at step " + step);
      }
      weights = weights * 31 + Seeds.mix(seed, step, 0);
      ctx.reportStep(step, Map.of("loss", 1.0 / step, "weights_lo", (double) (weights & 0xffff)));
      long w = weights;
      if (ctx.checkpointDue(step) || step == steps) {
        ctx.checkpoint(new TrainerState(step, step, seed, 0, Map.of()), dir -> write(dir, w));
      }
    }
    write(ctx.outputDir().resolve("model"), weights);
  }

  static String read(Path dir) {
    try {
      return Files.readString(dir.resolve("weights.txt"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path dir, long w) {
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("weights.txt"), Long.toString(w));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
