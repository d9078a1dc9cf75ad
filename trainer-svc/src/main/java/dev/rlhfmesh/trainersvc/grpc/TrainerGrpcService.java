package dev.rlhfmesh.trainersvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.errors.Validation;
import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.CancelJobResponse;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobResponse;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsResponse;
import dev.rlhfmesh.proto.trainer.v1.ListJobsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListJobsResponse;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.StartJobResponse;
import dev.rlhfmesh.proto.trainer.v1.StateEvent;
import dev.rlhfmesh.proto.trainer.v1.TrainerService;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import dev.rlhfmesh.trainersvc.jobs.JobListener;
import dev.rlhfmesh.trainersvc.jobs.JobManager;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import jakarta.inject.Inject;

/** gRPC adapter of trainer-svc: proto ⇄ {@link JobManager}. */
@GrpcService
public class TrainerGrpcService implements TrainerService {
  @Inject JobManager jobs;

  @Override
  @Blocking
  public Uni<StartJobResponse> startJob(StartJobRequest request) {
    if (!request.hasSpec()) {
      return Uni.createFrom()
          .failure(ServiceException.invalidArgument("spec", "unset", "is required"));
    }
    return Uni.createFrom()
        .item(() -> StartJobResponse.newBuilder().setJob(jobs.start(request.getSpec())).build());
  }

  @Override
  @Blocking
  public Uni<GetJobResponse> getJob(GetJobRequest request) {
    return Uni.createFrom()
        .item(
            () -> {
              Validation.requireNonBlank("job_id", request.getJobId());
              return GetJobResponse.newBuilder().setJob(jobs.get(request.getJobId())).build();
            });
  }

  @Override
  public Multi<WatchJobResponse> watchJob(WatchJobRequest request) {
    return Multi.createFrom()
        .<WatchJobResponse>emitter(
            emitter -> {
              try {
                Validation.requireNonBlank("job_id", request.getJobId());
                Validation.requireInRange("from_step", request.getFromStep(), 0, Integer.MAX_VALUE);
                AutoCloseable watch =
                    jobs.watch(request.getJobId(), request.getFromStep(), forward(emitter));
                emitter.onTermination(
                    () -> {
                      try {
                        watch.close();
                      } catch (Exception ignored) {
                        // removing a listener cannot fail
                      }
                    });
              } catch (RuntimeException e) {
                emitter.fail(e);
              }
            })
        // the subscription reads the job's history under its lock: keep it off the event loop
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }

  @Override
  @Blocking
  public Uni<CancelJobResponse> cancelJob(CancelJobRequest request) {
    return Uni.createFrom()
        .item(
            () -> {
              Validation.requireNonBlank("job_id", request.getJobId());
              return CancelJobResponse.newBuilder().setJob(jobs.cancel(request.getJobId())).build();
            });
  }

  @Override
  @Blocking
  public Uni<ListJobsResponse> listJobs(ListJobsRequest request) {
    return Uni.createFrom()
        .item(
            () -> ListJobsResponse.newBuilder().addAllJobs(jobs.list(request.getState())).build());
  }

  @Override
  @Blocking
  public Uni<ListCheckpointsResponse> listCheckpoints(ListCheckpointsRequest request) {
    return Uni.createFrom()
        .item(
            () -> {
              Validation.requireNonBlank("job_id", request.getJobId());
              return ListCheckpointsResponse.newBuilder()
                  .addAllCheckpoints(jobs.checkpoints(request.getJobId()))
                  .build();
            });
  }

  private static JobListener forward(MultiEmitter<? super WatchJobResponse> emitter) {
    return new JobListener() {
      @Override
      public void onMetrics(String jobId, MetricsEvent event) {
        emitter.emit(WatchJobResponse.newBuilder().setJobId(jobId).setMetrics(event).build());
      }

      @Override
      public void onState(String jobId, JobState state, String message) {
        emitter.emit(
            WatchJobResponse.newBuilder()
                .setJobId(jobId)
                .setState(StateEvent.newBuilder().setState(state).setMessage(message))
                .build());
      }

      @Override
      public void onEnd(String jobId) {
        emitter.complete();
      }
    };
  }
}
