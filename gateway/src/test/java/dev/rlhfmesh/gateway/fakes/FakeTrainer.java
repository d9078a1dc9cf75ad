package dev.rlhfmesh.gateway.fakes;

import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.CancelJobResponse;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobResponse;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobKind;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.ListJobsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListJobsResponse;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.StartJobResponse;
import dev.rlhfmesh.proto.trainer.v1.StateEvent;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Downstream fake of trainer-svc: jobs kept in memory; a started job is RUNNING at step 0 of spec
 * steps; WatchJob replays one metrics event per step (loss = 1/step) and a SUCCEEDED state.
 */
@GrpcService
public class FakeTrainer extends TrainerServiceGrpc.TrainerServiceImplBase {
  private static final Map<String, Job> JOBS = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT = new AtomicInteger(1);

  @Override
  public void startJob(StartJobRequest req, StreamObserver<StartJobResponse> out) {
    if (!req.getSpec().hasSft() && !req.getSpec().hasRewardModel() && !req.getSpec().hasPpo()) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("field 'spec.stage' = none: one stage is required")
              .asException());
      return;
    }
    String id = "job-" + NEXT.getAndIncrement();
    long now = System.currentTimeMillis();
    Job job =
        Job.newBuilder()
            .setJobId(id)
            .setSpec(req.getSpec())
            .setKind(req.getSpec().hasSft() ? JobKind.JOB_KIND_SFT : JobKind.JOB_KIND_PPO)
            .setState(JobState.JOB_STATE_RUNNING)
            .setTotalSteps(Math.max(1, req.getSpec().getSft().getSteps()))
            .setCreatedAtMs(now)
            .setUpdatedAtMs(now)
            .build();
    JOBS.put(id, job);
    out.onNext(StartJobResponse.newBuilder().setJob(job).build());
    out.onCompleted();
  }

  @Override
  public void getJob(GetJobRequest req, StreamObserver<GetJobResponse> out) {
    Job job = find(req.getJobId(), out);
    if (job != null) {
      out.onNext(GetJobResponse.newBuilder().setJob(job).build());
      out.onCompleted();
    }
  }

  @Override
  public void cancelJob(CancelJobRequest req, StreamObserver<CancelJobResponse> out) {
    Job job = find(req.getJobId(), out);
    if (job != null) {
      Job cancelled = job.toBuilder().setState(JobState.JOB_STATE_CANCELLED).build();
      JOBS.put(job.getJobId(), cancelled);
      out.onNext(CancelJobResponse.newBuilder().setJob(cancelled).build());
      out.onCompleted();
    }
  }

  @Override
  public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> out) {
    ListJobsResponse.Builder b = ListJobsResponse.newBuilder();
    JOBS.values().stream()
        .filter(
            j -> req.getState() == JobState.JOB_STATE_UNSPECIFIED || j.getState() == req.getState())
        .sorted(Comparator.comparing(Job::getCreatedAtMs).reversed())
        .forEach(b::addJobs);
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void watchJob(WatchJobRequest req, StreamObserver<WatchJobResponse> out) {
    Job job = find(req.getJobId(), out);
    if (job == null) {
      return;
    }
    for (int step = Math.max(1, req.getFromStep()); step <= job.getTotalSteps(); step++) {
      out.onNext(
          WatchJobResponse.newBuilder()
              .setJobId(job.getJobId())
              .setMetrics(
                  MetricsEvent.newBuilder().setStep(step).putValues("loss", 1.0 / step).build())
              .build());
    }
    out.onNext(
        WatchJobResponse.newBuilder()
            .setJobId(job.getJobId())
            .setState(StateEvent.newBuilder().setState(JobState.JOB_STATE_SUCCEEDED))
            .build());
    out.onCompleted();
  }

  private static Job find(String id, StreamObserver<?> out) {
    Job job = JOBS.get(id);
    if (job == null) {
      out.onError(Status.NOT_FOUND.withDescription("job '" + id + "' not found").asException());
    }
    return job;
  }
}
