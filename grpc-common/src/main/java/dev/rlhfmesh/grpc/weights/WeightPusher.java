package dev.rlhfmesh.grpc.weights;

import com.google.protobuf.UnsafeByteOperations;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryRequest;
import dev.rlhfmesh.proto.admin.v1.UploadChunksResponse;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Client of the weight-admin protocol: pushes a list of {@link TensorBytes} to one replica as one
 * versioned, all-or-nothing update — {@code BeginUpdate(version, manifest)}, one {@code
 * UploadChunks} stream of about 1 MiB chunks (flow-controlled, zero-copy from the tensors' arrays),
 * {@code CommitUpdate}; on any failure it sends {@code AbortUpdate} and rethrows, so the replica
 * keeps its old weights. Every call carries the admin bearer token. To update several replicas, use
 * one pusher per replica channel (pushes to different replicas may run in parallel).
 */
public final class WeightPusher {
  private static final Logger LOG = Logger.getLogger(WeightPusher.class);
  public static final int DEFAULT_CHUNK_BYTES = 1 << 20;

  private final WeightAdminServiceGrpc.WeightAdminServiceBlockingStub blocking;
  private final WeightAdminServiceGrpc.WeightAdminServiceStub async;
  private final int chunkBytes;
  private final Duration timeout;

  /** A pusher with 1 MiB chunks and a 10-minute limit per call. */
  public WeightPusher(Channel channel, String adminToken) {
    this(channel, adminToken, DEFAULT_CHUNK_BYTES, Duration.ofMinutes(10));
  }

  /**
   * @param channel to the replica's admin port
   * @param adminToken the replica's admin token
   * @param chunkBytes bytes per chunk message
   * @param timeout deadline of each call (the upload stream included)
   */
  public WeightPusher(Channel channel, String adminToken, int chunkBytes, Duration timeout) {
    if (chunkBytes < 1) {
      throw new IllegalArgumentException("chunkBytes must be positive");
    }
    BearerTokenCredentials creds = new BearerTokenCredentials(adminToken);
    this.blocking = WeightAdminServiceGrpc.newBlockingStub(channel).withCallCredentials(creds);
    this.async = WeightAdminServiceGrpc.newStub(channel).withCallCredentials(creds);
    this.chunkBytes = chunkBytes;
    this.timeout = timeout;
  }

  /**
   * Pushes every tensor as {@code version} of {@code model}; returns the version the replica serves
   * afterwards. Throws {@link StatusRuntimeException} (after aborting) on failure.
   */
  public long push(String model, long version, List<TensorBytes> tensors) {
    BeginUpdateRequest.Builder begin = BeginUpdateRequest.newBuilder().setModel(model);
    begin.setVersion(version);
    tensors.forEach(t -> begin.addManifest(t.spec()));
    String id = deadlined().beginUpdate(begin.build()).getUpdateId();
    try {
      upload(id, tensors);
      return deadlined()
          .commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId(id).build())
          .getVersion();
    } catch (RuntimeException e) {
      abortQuietly(id, e.toString());
      throw e;
    }
  }

  /** The version a replica serves for a model. */
  public long version(String model) {
    return deadlined()
        .getWeightVersion(GetWeightVersionRequest.newBuilder().setModel(model).build())
        .getVersion();
  }

  /** Asks the replica to load a directory on its own disk as {@code version}. */
  public long loadFromDirectory(String model, String directory, long version) {
    return deadlined()
        .loadFromDirectory(
            LoadFromDirectoryRequest.newBuilder()
                .setModel(model)
                .setDirectory(directory)
                .setVersion(version)
                .build())
        .getVersion();
  }

  /** Sends the chunks of every tensor on one stream, waiting for flow-control readiness. */
  void upload(String id, List<TensorBytes> tensors) {
    CompletableFuture<UploadChunksResponse> done = new CompletableFuture<>();
    Object ready = new Object();
    ClientResponseObserver<WeightChunk, UploadChunksResponse> responses =
        new ClientResponseObserver<>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WeightChunk> requests) {
            requests.setOnReadyHandler(
                () -> {
                  synchronized (ready) {
                    ready.notifyAll();
                  }
                });
          }

          @Override
          public void onNext(UploadChunksResponse r) {
            done.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
            synchronized (ready) {
              ready.notifyAll();
            }
          }

          @Override
          public void onCompleted() {
            done.complete(UploadChunksResponse.getDefaultInstance());
          }
        };
    @SuppressWarnings("unchecked")
    ClientCallStreamObserver<WeightChunk> requests =
        (ClientCallStreamObserver<WeightChunk>)
            async
                .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .uploadChunks(responses);
    try {
      for (TensorBytes t : tensors) {
        byte[] data = t.data();
        for (int off = 0; off < data.length || (off == 0 && data.length == 0); off += chunkBytes) {
          int len = Math.min(chunkBytes, data.length - off);
          awaitReady(requests, ready, done);
          requests.onNext(
              WeightChunk.newBuilder()
                  .setUpdateId(id)
                  .setTensorName(t.name())
                  .setOffset(off)
                  .setData(UnsafeByteOperations.unsafeWrap(data, off, len))
                  .build());
          if (data.length == 0) {
            break;
          }
        }
      }
      requests.onCompleted();
    } catch (RuntimeException e) {
      requests.cancel("upload failed", e);
      throw e;
    }
    UploadChunksResponse r = await(done);
    long total = tensors.stream().mapToLong(t -> t.data().length).sum();
    if (r.getBytesReceived() != total) {
      throw new IllegalStateException(
          "replica staged " + r.getBytesReceived() + " of " + total + " bytes");
    }
  }

  private void awaitReady(
      ClientCallStreamObserver<WeightChunk> requests,
      Object ready,
      CompletableFuture<UploadChunksResponse> done) {
    synchronized (ready) {
      while (!requests.isReady()) {
        if (done.isDone()) {
          await(done); // throws the stream's failure
          throw new IllegalStateException("the replica closed the upload stream early");
        }
        try {
          ready.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while uploading weights", e);
        }
      }
    }
  }

  private UploadChunksResponse await(CompletableFuture<UploadChunksResponse> done) {
    try {
      return done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("upload did not finish within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while uploading weights", e);
    }
  }

  private WeightAdminServiceGrpc.WeightAdminServiceBlockingStub deadlined() {
    return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void abortQuietly(String id, String reason) {
    try {
      deadlined()
          .abortUpdate(AbortUpdateRequest.newBuilder().setUpdateId(id).setReason(reason).build());
    } catch (RuntimeException e) {
      LOG.debugf("abort of %s not needed or failed: %s", id, e.getMessage());
    }
  }
}
