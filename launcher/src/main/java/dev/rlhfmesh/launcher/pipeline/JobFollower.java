package dev.rlhfmesh.launcher.pipeline;

import dev.rlhfmesh.launcher.report.ProgressBar;
import dev.rlhfmesh.launcher.report.RunRecord;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import io.grpc.Channel;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Starts a trainer job and follows its event stream to the end: a progress bar with ETA and the
 * live metrics the user cares about, every step recorded for the report.
 */
public final class JobFollower {
  private final Channel trainer;
  private final RunRecord record;
  private final PrintStream out;

  public JobFollower(Channel trainer, RunRecord record, PrintStream out) {
    this.trainer = trainer;
    this.record = record;
    this.out = out;
  }

  /**
   * Runs {@code spec} to completion. {@code live} names the metrics shown on the progress line;
   * {@code onStep} sees every step's metrics (e.g. to evaluate periodically).
   */
  public Job run(
      String stage,
      JobSpec spec,
      int totalSteps,
      List<String> live,
      BiConsumer<Integer, Map<String, Double>> onStep)
      throws IOException {
    TrainerServiceGrpc.TrainerServiceBlockingStub stub =
        TrainerServiceGrpc.newBlockingStub(trainer);
    Job job = stub.startJob(StartJobRequest.newBuilder().setSpec(spec).build()).getJob();
    ProgressBar bar = new ProgressBar(stage, totalSteps, out);
    int lastStep = 0;
    String lastStatus = "";
    Iterator<WatchJobResponse> events =
        stub.watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
    while (events.hasNext()) {
      WatchJobResponse e = events.next();
      if (e.hasMetrics()) {
        int step = e.getMetrics().getStep();
        Map<String, Double> values = e.getMetrics().getValuesMap();
        record.addPoint(stage, step, values);
        lastStep = step;
        lastStatus = status(values, live);
        bar.update(step, lastStatus, false);
        if (onStep != null) {
          onStep.accept(step, values);
        }
      } else if (e.hasState() && isTerminal(e.getState().getState())) {
        break;
      }
    }
    bar.finish(lastStep, lastStatus);
    Job done = stub.getJob(GetJobRequest.newBuilder().setJobId(job.getJobId()).build()).getJob();
    if (done.getState() != JobState.JOB_STATE_SUCCEEDED) {
      throw new IOException(
          stage + " job " + done.getJobId() + " ended " + done.getState() + ": " + done.getError());
    }
    return done;
  }

  static boolean isTerminal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED
        || s == JobState.JOB_STATE_FAILED
        || s == JobState.JOB_STATE_CANCELLED;
  }

  private static String status(Map<String, Double> values, List<String> live) {
    StringBuilder sb = new StringBuilder();
    for (String k : live) {
      Double v = values.get(k);
      if (v != null) {
        sb.append(k).append(' ').append(format(v)).append("  ");
      }
    }
    return sb.toString().strip();
  }

  private static String format(double v) {
    double a = Math.abs(v);
    return a >= 1000
        ? String.format("%.0f", v)
        : a >= 10 ? String.format("%.1f", v) : String.format("%.3f", v);
  }
}
