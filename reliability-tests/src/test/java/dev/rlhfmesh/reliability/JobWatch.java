package dev.rlhfmesh.reliability;

import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Follows a trainer job's {@code WatchJob} stream to its end, keeping every metrics event. */
final class JobWatch {
  private JobWatch() {}

  /**
   * How a watch ended: the last state seen (final when the job ended), the metrics events in order,
   * and the error when the stream broke instead (e.g. its server was killed).
   */
  record Result(JobState end, List<MetricsEvent> metrics, StatusRuntimeException broken) {
    @Override
    public String toString() {
      return "end "
          + end
          + ", "
          + metrics.size()
          + " metrics events"
          + (metrics.isEmpty()
              ? ""
              : " (last step " + metrics.get(metrics.size() - 1).getStep() + ")")
          + (broken == null ? "" : ", broken: " + broken.getStatus());
    }
  }

  /**
   * Watches {@code jobId} from {@code fromStep} until a final state, or until the stream fails;
   * {@code onMetrics} sees each metrics event as it arrives (it may kill the server).
   */
  static Result follow(Channel ch, String jobId, int fromStep, Consumer<MetricsEvent> onMetrics) {
    List<MetricsEvent> metrics = new ArrayList<>();
    JobState last = JobState.JOB_STATE_UNSPECIFIED;
    try {
      Iterator<WatchJobResponse> it =
          TrainerServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(240, TimeUnit.SECONDS)
              .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromStep(fromStep).build());
      while (it.hasNext()) {
        WatchJobResponse r = it.next();
        if (r.hasMetrics()) {
          metrics.add(r.getMetrics());
          onMetrics.accept(r.getMetrics());
        } else if (r.hasState()) {
          last = r.getState().getState();
        }
      }
      return new Result(last, metrics, null);
    } catch (StatusRuntimeException e) {
      return new Result(last, metrics, e);
    }
  }
}
