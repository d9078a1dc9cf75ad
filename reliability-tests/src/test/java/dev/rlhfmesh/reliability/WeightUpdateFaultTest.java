package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightPusher;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.UploadChunksResponse;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A weight update cut off half way (BeginUpdate, half the chunks, then the channel is killed)
 * leaves the replica serving the old weights — the same seeded generations and the same
 * ScoreSequences logprobs — a commit of the cut update is refused, and a retried full update then
 * succeeds. Runs against the narrow replica (nothing else depends on its weights).
 */
class WeightUpdateFaultTest {
  private static final int CHUNK = 4096;

  record Snapshot(List<Completion> generations, List<Float> logprobs, long version) {}

  static Snapshot snapshot(ManagedChannel ch) {
    var model = ModelServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS);
    var gen =
        model.generate(
            GenerateRequest.newBuilder()
                .setModel("policy")
                .addPrompts(GrpcBadInputs.ids(5, 6, 7))
                .addPrompts(GrpcBadInputs.ids(100, 200))
                .setSampling(
                    SamplingParams.newBuilder()
                        .setMaxNewTokens(8)
                        .setTemperature(1f)
                        .setSeed(99)
                        .setReturnLogprobs(true))
                .build());
    var score =
        model.scoreSequences(
            ScoreSequencesRequest.newBuilder()
                .setModel("policy")
                .addSequences(
                    SequenceToScore.newBuilder()
                        .setPrompt(GrpcBadInputs.ids(1, 2, 3))
                        .setResponse(GrpcBadInputs.ids(4, 5, 6, 7)))
                .build());
    List<Completion> g = new ArrayList<>();
    for (Completion c : gen.getCompletionsList()) {
      g.add(c.toBuilder().clearPolicyVersion().build());
    }
    return new Snapshot(g, score.getScores(0).getLogprobsList(), score.getPolicyVersion());
  }

  static List<WeightChunk> chunks(String updateId, List<TensorBytes> tensors) {
    List<WeightChunk> out = new ArrayList<>();
    for (TensorBytes t : tensors) {
      for (int off = 0; off < t.data().length; off += CHUNK) {
        int len = Math.min(CHUNK, t.data().length - off);
        out.add(
            WeightChunk.newBuilder()
                .setUpdateId(updateId)
                .setTensorName(t.name())
                .setOffset(off)
                .setData(ByteString.copyFrom(t.data(), off, len))
                .build());
      }
    }
    return out;
  }

  @Test
  void cutOffUpdateKeepsOldWeightsAndARetrySucceeds() throws Exception {
    Mesh mesh = Mesh.get();
    ManagedChannel modelCh = mesh.narrowModel.channel();
    Snapshot before = snapshot(modelCh);
    List<TensorBytes> tensors = SeededWeights.of(4242);
    long next = before.version() + 1;

    // 1. BeginUpdate, stream half the chunks, then kill the channel mid-stream.
    ManagedChannel doomed = Stubs.channel(mesh.narrowAdminPort);
    var admin =
        WeightAdminServiceGrpc.newBlockingStub(doomed)
            .withCallCredentials(new BearerTokenCredentials(mesh.adminToken))
            .withDeadlineAfter(30, TimeUnit.SECONDS);
    BeginUpdateRequest.Builder begin =
        BeginUpdateRequest.newBuilder().setModel("policy").setVersion(next);
    tensors.forEach(t -> begin.addManifest(t.spec()));
    String updateId = admin.beginUpdate(begin.build()).getUpdateId();
    List<WeightChunk> all = chunks(updateId, tensors);
    StreamObserver<WeightChunk> out =
        WeightAdminServiceGrpc.newStub(doomed)
            .withCallCredentials(new BearerTokenCredentials(mesh.adminToken))
            .uploadChunks(
                new StreamObserver<UploadChunksResponse>() {
                  @Override
                  public void onNext(UploadChunksResponse r) {}

                  @Override
                  public void onError(Throwable t) {}

                  @Override
                  public void onCompleted() {}
                });
    for (WeightChunk c : all.subList(0, all.size() / 2)) {
      out.onNext(c);
    }
    Thread.sleep(500); // let the half arrive, then the "crash": no half-close, the channel dies
    doomed.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    System.out.printf(
        "[reliability] cut update %s after %d of %d chunks%n",
        updateId, all.size() / 2, all.size());

    // 2. The replica still serves the old weights, bit for bit.
    Snapshot during = snapshot(modelCh);
    assertEquals(before, during, "a cut-off update changed what the replica serves");

    // 3. Committing the half-sent update is refused and changes nothing.
    var admin2 = Stubs.admin(Stubs.channel(mesh.narrowAdminPort), mesh.adminToken);
    StatusRuntimeException commit =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                admin2.commitUpdate(
                    CommitUpdateRequest.newBuilder().setUpdateId(updateId).build()));
    assertEquals(
        Status.Code.FAILED_PRECONDITION, commit.getStatus().getCode(), commit.getMessage());
    assertEquals(before, snapshot(modelCh));

    // 4. A retried full update of the same version succeeds and the new weights serve.
    ManagedChannel retryCh = Stubs.channel(mesh.narrowAdminPort);
    try {
      WeightPusher pusher =
          new WeightPusher(retryCh, mesh.adminToken, CHUNK, Duration.ofSeconds(60));
      assertEquals(next, pusher.push("policy", next, tensors));
      assertEquals(next, pusher.version("policy"));
    } finally {
      retryCh.shutdownNow();
    }
    Snapshot after = snapshot(modelCh);
    assertEquals(next, after.version());
    assertNotEquals(before.logprobs(), after.logprobs(), "new weights, same logprobs?");
    assertTrue(mesh.narrowModel.isAlive());
  }
}
