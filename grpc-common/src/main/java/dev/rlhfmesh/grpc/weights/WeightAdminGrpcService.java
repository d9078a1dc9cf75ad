package dev.rlhfmesh.grpc.weights;

import com.google.protobuf.ByteString;
import dev.rlhfmesh.grpc.StatusMapping;
import dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.AbortUpdateResponse;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateResponse;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateResponse;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionResponse;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryRequest;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryResponse;
import dev.rlhfmesh.proto.admin.v1.UploadChunksResponse;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import io.grpc.stub.StreamObserver;
import java.util.function.Supplier;

/**
 * gRPC adapter of {@code rlhf.admin.v1.WeightAdminService} over a {@link WeightStaging}: maps
 * messages to staging calls and failures to statuses through {@link StatusMapping}. Plain grpc-java
 * (no Quarkus), so any service serves it from a {@link WeightAdminServer}.
 */
public final class WeightAdminGrpcService
    extends WeightAdminServiceGrpc.WeightAdminServiceImplBase {
  private final WeightStaging staging;

  public WeightAdminGrpcService(WeightStaging staging) {
    this.staging = staging;
  }

  @Override
  public void beginUpdate(BeginUpdateRequest r, StreamObserver<BeginUpdateResponse> out) {
    unary(
        out,
        () ->
            BeginUpdateResponse.newBuilder()
                .setUpdateId(staging.begin(r.getModel(), r.getVersion(), r.getManifestList()))
                .build());
  }

  @Override
  public StreamObserver<WeightChunk> uploadChunks(StreamObserver<UploadChunksResponse> out) {
    return new StreamObserver<>() {
      private long received;
      private boolean failed;

      @Override
      public void onNext(WeightChunk c) {
        if (failed) {
          return;
        }
        try {
          staging.accept(c.getUpdateId(), c.getTensorName(), c.getOffset(), source(c.getData()));
          received += c.getData().size();
        } catch (RuntimeException e) {
          failed = true;
          out.onError(StatusMapping.toException(e));
        }
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; a partial update cannot commit and expires or is aborted.
      }

      @Override
      public void onCompleted() {
        if (!failed) {
          out.onNext(UploadChunksResponse.newBuilder().setBytesReceived(received).build());
          out.onCompleted();
        }
      }
    };
  }

  @Override
  public void commitUpdate(CommitUpdateRequest r, StreamObserver<CommitUpdateResponse> out) {
    unary(
        out,
        () -> {
          WeightStaging.Committed c = staging.commit(r.getUpdateId());
          return CommitUpdateResponse.newBuilder()
              .setModel(c.model())
              .setVersion(c.version())
              .build();
        });
  }

  @Override
  public void abortUpdate(AbortUpdateRequest r, StreamObserver<AbortUpdateResponse> out) {
    unary(
        out,
        () -> {
          staging.abort(r.getUpdateId(), r.getReason());
          return AbortUpdateResponse.getDefaultInstance();
        });
  }

  @Override
  public void getWeightVersion(
      GetWeightVersionRequest r, StreamObserver<GetWeightVersionResponse> out) {
    unary(
        out,
        () ->
            GetWeightVersionResponse.newBuilder()
                .setModel(r.getModel())
                .setVersion(staging.target().version(r.getModel()))
                .build());
  }

  @Override
  public void loadFromDirectory(
      LoadFromDirectoryRequest r, StreamObserver<LoadFromDirectoryResponse> out) {
    unary(
        out,
        () ->
            LoadFromDirectoryResponse.newBuilder()
                .setModel(r.getModel())
                .setVersion(
                    staging
                        .target()
                        .loadFromDirectory(r.getModel(), r.getDirectory(), r.getVersion()))
                .build());
  }

  private static WeightStaging.ChunkSource source(ByteString data) {
    return new WeightStaging.ChunkSource() {
      @Override
      public int size() {
        return data.size();
      }

      @Override
      public void copyTo(byte[] target, int offset) {
        data.copyTo(target, offset);
      }
    };
  }

  private static <T> void unary(StreamObserver<T> out, Supplier<T> call) {
    T result;
    try {
      result = call.get();
    } catch (RuntimeException e) {
      out.onError(StatusMapping.toException(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }
}
