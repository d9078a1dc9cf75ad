package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.gateway.downstream.GrpcCalls;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsRequest;
import dev.rlhfmesh.proto.trainer.v1.ListJobsRequest;
import dev.rlhfmesh.proto.trainer.v1.MutinyTrainerServiceGrpc.MutinyTrainerServiceStub;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import io.quarkus.grpc.GrpcClient;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.concurrent.TimeUnit;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Job admin relayed to trainer-svc: bodies are the trainer's protobuf messages in protobuf JSON
 * (JsonFormat), so every JobSpec field is reachable without a second schema. Events are
 * server-sent: one {@code data:} line per WatchJobResponse, ending when the job ends.
 */
@Path("/v1/jobs")
public class JobsResource {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  @GrpcClient("trainer")
  MutinyTrainerServiceStub trainer;

  @GrpcClient("trainer")
  io.grpc.Channel channel;

  @Inject GatewayConfig config;
  @Inject ObjectMapper mapper;

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<String> start(String body) {
    JobSpec.Builder spec = JobSpec.newBuilder();
    try {
      JsonFormat.parser().merge(body == null ? "" : body, spec);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      throw ServiceException.invalidArgument("body", body, "not a JobSpec: " + e.getMessage());
    }
    return unary()
        .startJob(StartJobRequest.newBuilder().setSpec(spec).build())
        .map(r -> print(r.getJob()));
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<String> list(@RestQuery String state) {
    ListJobsRequest.Builder req = ListJobsRequest.newBuilder();
    if (state != null && !state.isBlank()) {
      String name = state.toUpperCase(java.util.Locale.ROOT);
      try {
        req.setState(JobState.valueOf(name.startsWith("JOB_STATE_") ? name : "JOB_STATE_" + name));
      } catch (IllegalArgumentException e) {
        throw ServiceException.invalidArgument(
            "state", state, "must be one of queued, running, succeeded, failed, cancelled");
      }
    }
    return unary().listJobs(req.build()).map(JobsResource::print);
  }

  @GET
  @Path("/{id}")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<String> get(@PathParam("id") String id) {
    return unary()
        .getJob(GetJobRequest.newBuilder().setJobId(id).build())
        .map(r -> print(r.getJob()));
  }

  @POST
  @Path("/{id}/cancel")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<String> cancel(@PathParam("id") String id) {
    return unary()
        .cancelJob(CancelJobRequest.newBuilder().setJobId(id).build())
        .map(r -> print(r.getJob()));
  }

  @GET
  @Path("/{id}/checkpoints")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<String> checkpoints(@PathParam("id") String id) {
    return unary()
        .listCheckpoints(ListCheckpointsRequest.newBuilder().setJobId(id).build())
        .map(JobsResource::print);
  }

  /** Server-sent events; no deadline (a job runs for long), cancelled when the client leaves. */
  @GET
  @Path("/{id}/events")
  @Produces(MediaType.APPLICATION_JSON)
  public RestMulti<RawText> events(
      @PathParam("id") String id, @RestQuery("from_step") Integer fromStep) {
    WatchJobRequest req =
        WatchJobRequest.newBuilder()
            .setJobId(id)
            .setFromStep(fromStep == null ? 0 : fromStep)
            .build();
    Multi<String> frames =
        GrpcCalls.<dev.rlhfmesh.proto.trainer.v1.WatchJobResponse>cancellable(
                o -> TrainerServiceGrpc.newStub(channel).watchJob(req, o))
            .map(e -> "data: " + print(e) + "\n\n");
    return Responses.eventStream(frames, mapper);
  }

  private MutinyTrainerServiceStub unary() {
    return trainer.withDeadlineAfter(config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private static String print(Message m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
