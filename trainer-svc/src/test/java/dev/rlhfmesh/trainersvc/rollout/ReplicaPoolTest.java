package dev.rlhfmesh.trainersvc.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicaPoolTest {
  FakeModelReplica a;
  FakeModelReplica b;
  ReplicaPool pool;

  @BeforeEach
  void start() throws Exception {
    a = new FakeModelReplica();
    b = new FakeModelReplica();
    pool =
        new ReplicaPool(
            List.of(new ModelReplica(a.address()), new ModelReplica(b.address())),
            2,
            Duration.ofSeconds(10),
            4);
  }

  @AfterEach
  void stop() {
    pool.close();
    a.close();
    b.close();
  }

  static List<GenerateRequest> requests(int count, int n) {
    List<GenerateRequest> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add(
          GenerateRequest.newBuilder()
              .setModel("policy")
              .addPrompts(FakeModelReplica.ids(1, 10, 2, 11))
              .setSampling(
                  SamplingParams.newBuilder().setN(n).setSeed(1000 + i).setReturnLogprobs(true))
              .build());
    }
    return out;
  }

  static void assertEveryAnswerIsItsOwn(List<GenerateRequest> reqs, List<GenerateResponse> got) {
    assertEquals(reqs.size(), got.size());
    for (int i = 0; i < reqs.size(); i++) {
      long seed = reqs.get(i).getSampling().getSeed();
      List<Completion> cs = got.get(i).getCompletionsList();
      assertEquals(reqs.get(i).getSampling().getN(), cs.size());
      for (Completion c : cs) {
        assertArrayEquals(
            FakeModelReplica.tokens(seed, c.getSampleIndex()),
            c.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray(),
            "request " + i + " sample " + c.getSampleIndex());
      }
    }
  }

  @Test
  void generateAll_spreadsRequestsOverEveryReplica() throws Exception {
    List<GenerateRequest> reqs = requests(40, 2);
    List<GenerateResponse> got = pool.generateAll(reqs, 0, () -> false);
    assertEveryAnswerIsItsOwn(reqs, got);
    assertTrue(
        a.generateCalls.get() > 0 && b.generateCalls.get() > 0, pool.servedByReplica().toString());
    assertEquals(40, a.generateCalls.get() + b.generateCalls.get());
    assertEquals(0, pool.retries());
  }

  @Test
  void replicaDyingMidway_requestsRetriedElsewhere_noneLostOrCountedTwice() throws Exception {
    a.dieAfter = 5;
    List<GenerateRequest> reqs = requests(40, 3);
    List<GenerateResponse> got = pool.generateAll(reqs, 0, () -> false);
    assertEveryAnswerIsItsOwn(reqs, got);
    int servedA = pool.servedByReplica().getOrDefault(pool.replicas().get(0).name(), 0);
    int servedB = pool.servedByReplica().getOrDefault(pool.replicas().get(1).name(), 0);
    assertTrue(servedA <= 5, "A answered " + servedA);
    assertEquals(40, servedA + servedB, "every request answered exactly once");
    assertTrue(pool.retries() >= 1, "the failed request(s) were re-sent");
  }

  @Test
  void replicaOnOldWeights_isNotUsedForRollouts() throws Exception {
    a.version = 3;
    b.version = 4;
    List<GenerateRequest> reqs = requests(10, 1);
    List<GenerateResponse> got = pool.generateAll(reqs, 4, () -> false);
    assertEveryAnswerIsItsOwn(reqs, got);
    got.forEach(r -> r.getCompletionsList().forEach(c -> assertEquals(4, c.getPolicyVersion())));
    assertEquals(10, pool.servedByReplica().get(pool.replicas().get(1).name()));
  }

  @Test
  void everyReplicaDown_failsUnavailable() {
    a.dieAfter = 1;
    b.dieAfter = 1;
    a.generateCalls.set(1);
    b.generateCalls.set(1);
    ServiceException e =
        assertThrows(
            ServiceException.class, () -> pool.generateAll(requests(3, 1), 0, () -> false));
    assertEquals(ErrorKind.UNAVAILABLE, e.kind());
  }

  @Test
  void scoreSequences_failsOverToTheNextReplica() {
    a.dieAfter = 1;
    a.generateCalls.set(2);
    var req =
        dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest.newBuilder()
            .setModel("reference")
            .addSequences(
                dev.rlhfmesh.proto.model.v1.SequenceToScore.newBuilder()
                    .setPrompt(FakeModelReplica.ids(1, 2))
                    .setResponse(FakeModelReplica.ids(3, 12)))
            .build();
    assertEquals(2, pool.scoreSequences(req, 0).getScores(0).getLogprobsCount());
    assertEquals(1, b.scoreCalls.get());
  }
}
