package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** One model-svc replica: its own channel, so calls can be spread over replicas by the caller. */
public final class ModelReplica implements AutoCloseable {
  private final String name;
  private final ManagedChannel channel;

  public ModelReplica(InetSocketAddress address) {
    this.name = ReplicaAddresses.target(address);
    this.channel =
        NettyChannelBuilder.forAddress(address)
            .usePlaintext()
            .maxInboundMessageSize(64 << 20)
            .build();
  }

  public String name() {
    return name;
  }

  public GenerateResponse generate(GenerateRequest request, Duration timeout) {
    return ModelServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .generate(request);
  }

  public ScoreSequencesResponse scoreSequences(ScoreSequencesRequest request, Duration timeout) {
    return ModelServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .scoreSequences(request);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }

  @Override
  public String toString() {
    return name;
  }
}
