package dev.rlhfmesh.modelsvc;

import static dev.rlhfmesh.modelsvc.Calls.generate;
import static dev.rlhfmesh.modelsvc.Calls.ids;
import static dev.rlhfmesh.modelsvc.Calls.sampling;
import static dev.rlhfmesh.modelsvc.Calls.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.protobuf.ByteString;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightPusher;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.modelsvc.serving.ServedModel;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weight updates over the admin port with {@link WeightPusher}; each test updates the "reference"
 * model only and moves its version forward from whatever the previous test left.
 */
@QuarkusTest
class WeightUpdateTest {
  static final String TOKEN = "test-admin-token";

  @GrpcClient("self")
  Channel channel;

  @Inject ModelSvcRuntime runtime;
  @Inject AdminServerLifecycle admin;

  ManagedChannel adminChannel;

  @BeforeEach
  void open() {
    adminChannel =
        ManagedChannelBuilder.forAddress("127.0.0.1", admin.port().orElseThrow())
            .usePlaintext()
            .build();
  }

  @AfterEach
  void close() throws InterruptedException {
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private ServedModel reference() {
    return runtime.registry().get("reference");
  }

  private GptConfig config() {
    return reference().config();
  }

  private int[] greedy(int... prompt) {
    GenerateRequest r = generate("reference", sampling(0f, 1, 12), ids(prompt));
    return tokens(ModelServiceGrpc.newBlockingStub(channel).generate(r).getCompletions(0));
  }

  @Test
  void missingOrWrongCredential_isUnauthenticated() {
    var noToken = WeightAdminServiceGrpc.newBlockingStub(adminChannel);
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                noToken.getWeightVersion(
                    GetWeightVersionRequest.newBuilder().setModel("reference").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    WeightPusher wrong = new WeightPusher(adminChannel, "not-the-token");
    StatusRuntimeException e2 =
        assertThrows(
            StatusRuntimeException.class,
            () -> wrong.push("reference", 1000, TestWeights.seeded(config(), 5)));
    assertEquals(Status.Code.UNAUTHENTICATED, e2.getStatus().getCode());
  }

  @Test
  void push_swapsWeightsAndReportsTheVersion() {
    int[] before = greedy(3, 4, 5);
    long v = reference().version() + 1;
    WeightPusher pusher =
        new WeightPusher(adminChannel, TOKEN, 1000, java.time.Duration.ofMinutes(1));
    assertEquals(v, pusher.push("reference", v, TestWeights.seeded(config(), 77)));
    assertEquals(v, pusher.version("reference"));
    int[] after = greedy(3, 4, 5);
    assertFalse(java.util.Arrays.equals(before, after), "new weights generate differently");
    Completion c =
        ModelServiceGrpc.newBlockingStub(channel)
            .generate(generate("reference", sampling(0f, 1, 4), ids(3)))
            .getCompletions(0);
    assertEquals(v, c.getPolicyVersion());
    assertEquals("update:" + v, info().getSource());
    // versions only move forward
    StatusRuntimeException stale =
        assertThrows(
            StatusRuntimeException.class,
            () -> pusher.push("reference", v, TestWeights.seeded(config(), 78)));
    assertEquals(Status.Code.FAILED_PRECONDITION, stale.getStatus().getCode());
    assertArrayEquals(after, greedy(3, 4, 5));
  }

  @Test
  void corruptedOrAbortedUpdates_leaveTheOldWeightsServing() {
    int[] before = greedy(6, 7);
    long version = reference().version();
    List<TensorBytes> good = TestWeights.seeded(config(), 91);
    var stub =
        WeightAdminServiceGrpc.newBlockingStub(adminChannel)
            .withCallCredentials(new BearerTokenCredentials(TOKEN));
    // a manifest that does not fit the model is refused before any byte moves
    List<TensorBytes> wrongShape = new ArrayList<>(good);
    TensorBytes first = good.get(0);
    long[] half = {first.shape()[0] / 2, first.shape()[1]};
    wrongShape.set(
        0,
        new TensorBytes(
            first.name(),
            first.dtype(),
            half,
            java.util.Arrays.copyOf(
                first.data(), (int) TensorBytes.byteSize(first.dtype(), half))));
    StatusRuntimeException bad =
        assertThrows(
            StatusRuntimeException.class,
            () -> new WeightPusher(adminChannel, TOKEN).push("reference", version + 1, wrongShape));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertTrue(bad.getStatus().getDescription().contains("wte.weight"));
    // a duplicated chunk drops the update; commit then finds nothing
    BeginUpdateRequest.Builder begin =
        BeginUpdateRequest.newBuilder().setModel("reference").setVersion(version + 1);
    good.forEach(t -> begin.addManifest(t.spec()));
    String id = stub.beginUpdate(begin.build()).getUpdateId();
    CompletableFuture<Status> upload = new CompletableFuture<>();
    StreamObserver<WeightChunk> chunks =
        WeightAdminServiceGrpc.newStub(adminChannel)
            .withCallCredentials(new BearerTokenCredentials(TOKEN))
            .uploadChunks(
                new StreamObserver<>() {
                  @Override
                  public void onNext(dev.rlhfmesh.proto.admin.v1.UploadChunksResponse r) {}

                  @Override
                  public void onError(Throwable t) {
                    upload.complete(Status.fromThrowable(t));
                  }

                  @Override
                  public void onCompleted() {
                    upload.complete(Status.OK);
                  }
                });
    WeightChunk chunk =
        WeightChunk.newBuilder()
            .setUpdateId(id)
            .setTensorName(first.name())
            .setOffset(0)
            .setData(ByteString.copyFrom(first.data(), 0, 64))
            .build();
    chunks.onNext(chunk);
    chunks.onNext(chunk);
    chunks.onCompleted();
    assertEquals(Status.Code.INVALID_ARGUMENT, upload.join().getCode());
    StatusRuntimeException gone =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub.commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId(id).build()));
    assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    // an incomplete update is refused at commit
    String id2 = stub.beginUpdate(begin.build()).getUpdateId();
    StatusRuntimeException incomplete =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub.commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId(id2).build()));
    assertEquals(Status.Code.FAILED_PRECONDITION, incomplete.getStatus().getCode());
    // an aborted one never commits
    String id3 = stub.beginUpdate(begin.build()).getUpdateId();
    stub.abortUpdate(
        dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest.newBuilder()
            .setUpdateId(id3)
            .setReason("test")
            .build());
    assertThrows(
        StatusRuntimeException.class,
        () -> stub.commitUpdate(CommitUpdateRequest.newBuilder().setUpdateId(id3).build()));
    assertEquals(version, reference().version());
    assertArrayEquals(before, greedy(6, 7));
  }

  @Test
  void updateMidGeneration_inFlightSamplesFinishOnTheirVersion() {
    long v0 = reference().version();
    var s = sampling(1f, 2024, 40).setN(64);
    GenerateRequest req = generate("reference", s, ids(2, 3));
    Map<Integer, int[]> baselineV0 =
        byIndex(ModelServiceGrpc.newBlockingStub(channel).generate(req));
    Iterator<GenerateStreamResponse> it =
        ModelServiceGrpc.newBlockingStub(channel)
            .generateStream(
                GenerateStreamRequest.newBuilder()
                    .setModel("reference")
                    .addPrompts(ids(2, 3))
                    .setSampling(s)
                    .build());
    Map<Integer, List<Integer>> streamed = new HashMap<>();
    Map<Integer, Long> versions = new HashMap<>();
    boolean pushed = false;
    long v1 = v0 + 1;
    while (it.hasNext()) {
      GenerateStreamResponse m = it.next();
      streamed
          .computeIfAbsent(m.getSampleIndex(), k -> new ArrayList<>())
          .addAll(m.getTokenIdsList());
      Long prev = versions.put(m.getSampleIndex(), m.getPolicyVersion());
      assertTrue(prev == null || prev == m.getPolicyVersion(), "one version per sample");
      if (!pushed) {
        pushed = true;
        new WeightPusher(adminChannel, TOKEN)
            .push("reference", v1, TestWeights.seeded(config(), 55));
      }
    }
    Map<Integer, int[]> baselineV1 =
        byIndex(ModelServiceGrpc.newBlockingStub(channel).generate(req));
    int onOld = 0;
    for (int k = 0; k < 64; k++) {
      int[] got = streamed.get(k).stream().mapToInt(Integer::intValue).toArray();
      if (versions.get(k) == v0) {
        onOld++;
        assertArrayEquals(baselineV0.get(k), got, "sample " + k + " on version " + v0);
      } else {
        assertEquals(v1, versions.get(k));
        assertArrayEquals(baselineV1.get(k), got, "sample " + k + " on version " + v1);
      }
    }
    assertTrue(onOld >= 1, "the samples in flight during the update finish on the old version");
  }

  @Test
  void loadFromDirectory_swapsInASavedModel() throws Exception {
    Path dir = Files.createTempDirectory("model-svc-load");
    try (NDManager m = NDManager.newBaseManager();
        Gpt gpt = Gpt.init(m, config(), 31)) {
      gpt.save(dir);
    }
    long v = reference().version() + 5;
    WeightPusher pusher = new WeightPusher(adminChannel, TOKEN);
    assertEquals(v, pusher.loadFromDirectory("reference", dir.toString(), v));
    assertEquals(dir.toString(), info().getSource());
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> pusher.loadFromDirectory("reference", dir.resolve("nope").toString(), v + 1));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals(v, reference().version());
  }

  private dev.rlhfmesh.proto.model.v1.GetModelInfoResponse info() {
    return ModelServiceGrpc.newBlockingStub(channel)
        .getModelInfo(GetModelInfoRequest.newBuilder().setModel("reference").build());
  }

  private static Map<Integer, int[]> byIndex(dev.rlhfmesh.proto.model.v1.GenerateResponse r) {
    Map<Integer, int[]> out = new HashMap<>();
    r.getCompletionsList().forEach(c -> out.put(c.getSampleIndex(), tokens(c)));
    return out;
  }
}
