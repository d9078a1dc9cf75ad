package dev.rlhfmesh.rewardsvc.grpc;

import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.idsOf;
import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.score;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc.RewardServiceBlockingStub;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.rewardsvc.RewardRuntime;
import dev.rlhfmesh.rewardsvc.RewardTestProfile;
import dev.rlhfmesh.rewardsvc.TinyRewardModels;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The learned reward model served from a directory the test wrote ({@code TinyRewardModels}):
 * scores equal model-core's own forward pass alone and inside batches, and concurrent callers share
 * forward passes yet each get their own results.
 */
@QuarkusTest
@TestProfile(RewardTestProfile.class)
class LearnedRewardGrpcTest {
  private static final String[][] PAIRS = {
    {"23+58=", "81<|endoftext|>"},
    {"1+1=", "2<|endoftext|>"},
    {"40+2=", "42"},
    {"9+9=", "18<|endoftext|>"},
    {"", "hello there<|endoftext|>"},
  };

  @GrpcClient("self")
  Channel channel;

  @Inject MeterRegistry registry;

  private static float[] expected;

  private RewardServiceBlockingStub stub() {
    return RewardServiceGrpc.newBlockingStub(channel);
  }

  /** model-core's scores of each pair alone: what every served score must equal. */
  private float[] expected() {
    if (expected == null) {
      // the served directory holds init(tiny, seed 7): model-core's own forward pass is the truth
      try (NDManager m = NDManager.newBaseManager();
          ScalarHeadModel model = ScalarHeadModel.init(m, TinyRewardModels.tiny(), 7)) {
        expected = new float[PAIRS.length];
        for (int i = 0; i < PAIRS.length; i++) {
          int[] p = FakeTokenizerService.encode(PAIRS[i][0]);
          int[] r = FakeTokenizerService.encode(PAIRS[i][1]);
          int[] all = new int[p.length + r.length];
          System.arraycopy(p, 0, all, 0, p.length);
          System.arraycopy(r, 0, all, p.length, r.length);
          expected[i] = model.scoreArray(m, new int[][] {all})[0];
        }
      }
    }
    return expected;
  }

  @Test
  void learned_scoresAloneAndInsideABatchEqualModelCore() {
    float[] want = expected();
    for (int i = 0; i < PAIRS.length; i++) {
      ScoreResponse alone = stub().score(score("learned", idsOf(PAIRS[i][0], PAIRS[i][1])));
      assertEquals(want[i], alone.getRewards(0), 1e-5f, "alone " + i);
    }
    ScoreRequest.Builder batch = ScoreRequest.newBuilder().setReward("learned");
    for (String[] pair : PAIRS) {
      batch.addSamples(idsOf(pair[0], pair[1]));
    }
    ScoreResponse all = stub().score(batch.build());
    for (int i = 0; i < PAIRS.length; i++) {
      assertEquals(want[i], all.getRewards(i), 1e-5f, "in batch " + i);
      assertEquals(want[i], all.getBreakdowns(i).getComponents(0).getValue(), 1e-5f);
    }
  }

  @Test
  void learned_encodesTextOnlySamplesThroughTheTokenizer() {
    RewardSample text =
        RewardSample.newBuilder().setPromptText(PAIRS[0][0]).setResponseText(PAIRS[0][1]).build();
    assertEquals(expected()[0], stub().score(score("learned", text)).getRewards(0), 1e-5f);
  }

  @Test
  void learned_aFullCallOfTextOnlySamples_needsMoreTextsThanOneTokenizerCallTakes() {
    // 1,024 samples (rlhf.reward.max-samples) = 2,048 texts to encode, twice tokenizer-svc's limit
    ScoreRequest.Builder batch = ScoreRequest.newBuilder().setReward("learned");
    for (int i = 0; i < 1024; i++) {
      batch.addSamples(
          RewardSample.newBuilder().setPromptText(PAIRS[0][0]).setResponseText(PAIRS[0][1]));
    }
    ScoreResponse r = stub().score(batch.build());
    assertEquals(1024, r.getRewardsCount());
    assertEquals(expected()[0], r.getRewards(1023), 1e-5f);
  }

  @Test
  void composite_mixesTheModelWithTheGoldRule() {
    RewardSample s = idsOf(PAIRS[0][0], PAIRS[0][1]).toBuilder().setReferenceAnswer("81").build();
    ScoreResponse r = stub().score(score("model-and-gold", s));
    assertEquals(0.5f * expected()[0] + 2f, r.getRewards(0), 1e-5f);
  }

  @Test
  void learned_rejectsSequencesLongerThanTheModelReads() {
    // the tiny model reads 24 positions: 6 + 20 tokens is too long
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () -> stub().score(score("learned", idsOf("23+58=", "1".repeat(20)))));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("'samples[0].response.ids'"));
    StatusRuntimeException v =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub()
                    .score(
                        score(
                            "learned",
                            idsOf("1+1=", "2"),
                            RewardSample.newBuilder()
                                .setPrompt(RewardRequests.ids(1, 2, 45))
                                .setResponse(RewardRequests.ids(3))
                                .build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, v.getStatus().getCode());
    assertTrue(v.getStatus().getDescription().contains("'samples[1].prompt.ids[2]'"));
  }

  @Test
  void concurrentCallers_shareForwardPassesAndEachGetsItsOwnResults() throws Exception {
    float[] want = expected();
    DistributionSummary sizes =
        registry.find(RewardRuntime.BATCH_SIZE_METRIC).tag("spec", "learned").summary();
    long passesBefore = sizes.count();
    int callers = 24;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<float[]>> results = new ArrayList<>();
      for (int c = 0; c < callers; c++) {
        int first = c % PAIRS.length;
        int second = (c + 1) % PAIRS.length;
        results.add(
            pool.submit(
                () -> {
                  go.await();
                  ScoreResponse r =
                      stub()
                          .score(
                              score(
                                  "learned",
                                  idsOf(PAIRS[first][0], PAIRS[first][1]),
                                  idsOf(PAIRS[second][0], PAIRS[second][1])));
                  return new float[] {r.getRewards(0), r.getRewards(1)};
                }));
      }
      go.countDown();
      for (int c = 0; c < callers; c++) {
        float[] got = results.get(c).get(60, TimeUnit.SECONDS);
        assertEquals(want[c % PAIRS.length], got[0], 1e-5f, "caller " + c + " sample 0");
        assertEquals(want[(c + 1) % PAIRS.length], got[1], 1e-5f, "caller " + c + " sample 1");
      }
    } finally {
      pool.shutdownNow();
    }
    long passes = sizes.count() - passesBefore;
    assertTrue(passes < callers, passes + " forward passes for " + callers + " callers");
    assertTrue(sizes.max() > 2, "largest batch " + sizes.max() + " holds several callers");
  }
}
