package dev.rlhfmesh.trainersvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.CancelJobResponse;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobResponse;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsResponse;
import dev.rlhfmesh.proto.trainer.v1.ListJobsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListJobsResponse;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.StartJobResponse;
import dev.rlhfmesh.proto.trainer.v1.TrainerService;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of trainer-svc. Not built yet: every RPC says so (issue #6). */
@GrpcService
public class TrainerGrpcService implements TrainerService {
  private static final String NOT_BUILT =
      " is not built yet in trainer-svc (tracked by issue #6: SFT, reward model and PPO jobs)";

  @Override
  public Uni<StartJobResponse> startJob(StartJobRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("StartJob" + NOT_BUILT));
  }

  @Override
  public Uni<GetJobResponse> getJob(GetJobRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("GetJob" + NOT_BUILT));
  }

  @Override
  public Multi<WatchJobResponse> watchJob(WatchJobRequest request) {
    return Multi.createFrom().failure(ServiceException.unimplemented("WatchJob" + NOT_BUILT));
  }

  @Override
  public Uni<CancelJobResponse> cancelJob(CancelJobRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("CancelJob" + NOT_BUILT));
  }

  @Override
  public Uni<ListJobsResponse> listJobs(ListJobsRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("ListJobs" + NOT_BUILT));
  }

  @Override
  public Uni<ListCheckpointsResponse> listCheckpoints(ListCheckpointsRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("ListCheckpoints" + NOT_BUILT));
  }
}
