package dev.rlhfmesh.rewardsvc.grpc;

import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.idsOf;
import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightPusher;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.rewardsvc.AdminServerLifecycle;
import dev.rlhfmesh.rewardsvc.RewardTestProfile;
import dev.rlhfmesh.rewardsvc.TinyRewardModels;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Weight updates of spec {@code updatable} through the shared admin protocol (grpc-common {@code
 * WeightPusher} against the app's admin port): scores change to the new weights' exactly, never to
 * a mix, and a bad update leaves the old ones serving.
 */
@QuarkusTest
@TestProfile(RewardTestProfile.class)
class WeightUpdateGrpcTest {
  private static final String MODEL = "updatable";
  private static final String[][] PAIRS = {{"23+58=", "81<|endoftext|>"}, {"1+1=", "3"}};

  @GrpcClient("self")
  Channel channel;

  @Inject AdminServerLifecycle admin;

  @ConfigProperty(name = TinyRewardModels.UPDATE_DIR_KEY)
  String updateDir;

  private ManagedChannel adminChannel;
  private WeightPusher pusher;

  @BeforeEach
  void connect() {
    adminChannel =
        ManagedChannelBuilder.forAddress("127.0.0.1", admin.port().orElseThrow())
            .usePlaintext()
            .build();
    pusher = new WeightPusher(adminChannel, RewardTestProfile.ADMIN_TOKEN);
  }

  @AfterEach
  void close() throws InterruptedException {
    adminChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static ScoreRequest request() {
    return score(MODEL, idsOf(PAIRS[0][0], PAIRS[0][1]), idsOf(PAIRS[1][0], PAIRS[1][1]));
  }

  private ScoreResponse scoreNow() {
    return RewardServiceGrpc.newBlockingStub(channel).score(request());
  }

  /** model-core's scores of both pairs for init(tiny, seed). */
  private static float[] expected(long seed) {
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(m, TinyRewardModels.tiny(), seed)) {
      float[] out = new float[PAIRS.length];
      for (int i = 0; i < PAIRS.length; i++) {
        int[] p = FakeTokenizerService.encode(PAIRS[i][0]);
        int[] r = FakeTokenizerService.encode(PAIRS[i][1]);
        int[] all = new int[p.length + r.length];
        System.arraycopy(p, 0, all, 0, p.length);
        System.arraycopy(r, 0, all, p.length, r.length);
        out[i] = model.scoreArray(m, new int[][] {all})[0];
      }
      return out;
    }
  }

  /** The tensors of init(tiny, seed) as F32 wire bytes, with the HF {@code transformer.} prefix. */
  private static List<TensorBytes> tensors(long seed) {
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(m, TinyRewardModels.tiny(), seed)) {
      List<TensorBytes> out = new ArrayList<>();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        float[] f = e.getValue().toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(4 * f.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(f);
        String name = e.getKey().startsWith("score.") ? e.getKey() : "transformer." + e.getKey();
        out.add(
            new TensorBytes(
                name, DType.D_TYPE_FLOAT32, e.getValue().getShape().getShape(), b.array()));
      }
      return out;
    }
  }

  private static boolean matches(ScoreResponse r, float[] want) {
    return Math.abs(r.getRewards(0) - want[0]) < 1e-5f
        && Math.abs(r.getRewards(1) - want[1]) < 1e-5f;
  }

  @Test
  void adminCalls_needTheToken() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                WeightAdminServiceGrpc.newBlockingStub(adminChannel)
                    .getWeightVersion(
                        GetWeightVersionRequest.newBuilder().setModel(MODEL).build()));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    StatusRuntimeException wrong =
        assertThrows(
            StatusRuntimeException.class,
            () -> new WeightPusher(adminChannel, "not-the-token").version(MODEL));
    assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
  }

  @Test
  void push_swapsScoresAtomicallyToTheNewWeights() throws Exception {
    long before = pusher.version(MODEL);
    long servingSeed = seedServing();
    long nextSeed = servingSeed == 7 ? 8 : 7;
    float[] old = expected(servingSeed);
    float[] next = expected(nextSeed);
    assertTrue(matches(scoreNow(), old), "serves the old weights first");

    AtomicBoolean done = new AtomicBoolean();
    ExecutorService readers = Executors.newFixedThreadPool(4);
    List<Future<int[]>> seen = new ArrayList<>();
    try {
      for (int t = 0; t < 4; t++) {
        seen.add(
            readers.submit(
                () -> {
                  int[] counts = new int[2]; // old, new
                  while (!done.get()) {
                    ScoreResponse r = scoreNow();
                    if (matches(r, old)) {
                      counts[0]++;
                    } else if (matches(r, next)) {
                      counts[1]++;
                      assertEquals(before + 1, r.getModelVersion());
                    } else {
                      throw new AssertionError("mixed or unknown scores " + r.getRewardsList());
                    }
                  }
                  return counts;
                }));
      }
      assertEquals(before + 1, pusher.push(MODEL, before + 1, tensors(nextSeed)));
      ScoreResponse after = scoreNow();
      assertTrue(matches(after, next), "serves the new weights: " + after.getRewardsList());
      assertEquals(before + 1, after.getModelVersion());
      done.set(true);
      for (Future<int[]> f : seen) {
        f.get(30, TimeUnit.SECONDS); // fails on any mixed response
      }
    } finally {
      done.set(true);
      readers.shutdownNow();
    }
  }

  /** Which seed serves now (7 or 8), judged by the scores: test methods run in any order. */
  private long seedServing() {
    return matches(scoreNow(), expected(7)) ? 7 : 8;
  }

  @Test
  void badUpdates_leaveTheOldWeightsServing() {
    long version = pusher.version(MODEL);
    ScoreResponse before = scoreNow();
    List<TensorBytes> wrongShape = new ArrayList<>(tensors(9));
    wrongShape.set(
        wrongShape.size() - 1,
        new TensorBytes("score.bias", DType.D_TYPE_FLOAT32, new long[] {2}, new byte[8]));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> pusher.push(MODEL, version + 1, wrongShape));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("score.bias"));
    StatusRuntimeException stale =
        assertThrows(StatusRuntimeException.class, () -> pusher.push(MODEL, version, tensors(9)));
    assertEquals(Status.Code.FAILED_PRECONDITION, stale.getStatus().getCode());
    StatusRuntimeException unknown =
        assertThrows(StatusRuntimeException.class, () -> pusher.version("no-such-model"));
    assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    assertEquals(version, pusher.version(MODEL));
    assertEquals(before.getRewardsList(), scoreNow().getRewardsList());
  }

  @Test
  void loadFromDirectory_servesTheDirectorysWeights() {
    long version = pusher.version(MODEL);
    // the update directory holds init(tiny, seed 8)
    assertEquals(version + 1, pusher.loadFromDirectory(MODEL, updateDir, version + 1));
    ScoreResponse r = scoreNow();
    assertTrue(matches(r, expected(8)), r.getRewardsList().toString());
    assertEquals(version + 1, r.getModelVersion());
  }
}
