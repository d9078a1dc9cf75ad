package dev.rlhfmesh.reliability;

import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.admin.v1.UploadChunksResponse;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Blocking stubs of every service of the {@link Mesh}, each call with its own deadline. */
public final class Stubs {
  private static final long DEADLINE_S = 30;
  private final Mesh mesh;
  private final ManagedChannel modelAdmin;
  private final ManagedChannel rewardAdmin;

  public Stubs(Mesh mesh) {
    this.mesh = mesh;
    this.modelAdmin = channel(mesh.modelAdminPort);
    this.rewardAdmin = channel(mesh.rewardAdminPort);
  }

  /** A plaintext loopback channel that accepts large answers. */
  public static ManagedChannel channel(int port) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .maxInboundMessageSize(64 << 20)
        .build();
  }

  public TokenizerServiceGrpc.TokenizerServiceBlockingStub tokenizer() {
    return TokenizerServiceGrpc.newBlockingStub(mesh.tokenizer.channel())
        .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
  }

  public ModelServiceGrpc.ModelServiceBlockingStub model() {
    return ModelServiceGrpc.newBlockingStub(mesh.model.channel())
        .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
  }

  public RewardServiceGrpc.RewardServiceBlockingStub reward() {
    return RewardServiceGrpc.newBlockingStub(mesh.reward().channel())
        .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
  }

  public TrainerServiceGrpc.TrainerServiceBlockingStub trainer() {
    return TrainerServiceGrpc.newBlockingStub(mesh.trainer.channel())
        .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
  }

  public GatewayServiceGrpc.GatewayServiceBlockingStub gateway() {
    return gatewayWith(mesh.apiKey);
  }

  /** Gateway stub presenting {@code key} (null: no key at all). */
  public GatewayServiceGrpc.GatewayServiceBlockingStub gatewayWith(String key) {
    var s =
        GatewayServiceGrpc.newBlockingStub(mesh.gateway.channel())
            .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    return key == null ? s : s.withCallCredentials(new BearerTokenCredentials(key));
  }

  public Channel modelAdminChannel() {
    return modelAdmin;
  }

  public Channel rewardAdminChannel() {
    return rewardAdmin;
  }

  /** Admin stub of model-svc presenting {@code token} (null: none). */
  public WeightAdminServiceGrpc.WeightAdminServiceBlockingStub modelAdmin(String token) {
    return admin(modelAdmin, token);
  }

  /** Admin stub of reward-svc presenting {@code token} (null: none). */
  public WeightAdminServiceGrpc.WeightAdminServiceBlockingStub rewardAdmin(String token) {
    return admin(rewardAdmin, token);
  }

  public static WeightAdminServiceGrpc.WeightAdminServiceBlockingStub admin(
      Channel ch, String token) {
    var s =
        WeightAdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    return token == null ? s : s.withCallCredentials(new BearerTokenCredentials(token));
  }

  /**
   * Sends {@code chunks} on one UploadChunks stream and half-closes it; returns the answer or
   * throws the call's StatusRuntimeException.
   */
  public static UploadChunksResponse upload(Channel ch, String token, List<WeightChunk> chunks) {
    CompletableFuture<UploadChunksResponse> done = new CompletableFuture<>();
    var stub = WeightAdminServiceGrpc.newStub(ch).withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS);
    if (token != null) {
      stub = stub.withCallCredentials(new BearerTokenCredentials(token));
    }
    StreamObserver<WeightChunk> out =
        stub.uploadChunks(
            new StreamObserver<>() {
              UploadChunksResponse last;

              @Override
              public void onNext(UploadChunksResponse r) {
                last = r;
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                done.complete(last);
              }
            });
    chunks.forEach(out::onNext);
    out.onCompleted();
    try {
      return done.get(DEADLINE_S + 5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException sre) {
        throw sre;
      }
      throw Status.UNKNOWN.withCause(e.getCause()).asRuntimeException();
    } catch (InterruptedException | TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED.withCause(e).asRuntimeException();
    }
  }
}
