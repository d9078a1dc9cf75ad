package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * reward-svc is killed for a few seconds while a client keeps calling Score with retries and
 * exponential backoff: calls fail with UNAVAILABLE during the outage (nothing else) and succeed,
 * with the right reward, once it is back on the same port.
 */
class RewardOutageTest {
  private static final ScoreRequest REQ =
      ScoreRequest.newBuilder()
          .setReward("exact-answer")
          .addSamples(
              RewardSample.newBuilder()
                  .setPromptText("23+58=")
                  .setResponseText("81<|endoftext|>")
                  .setReferenceAnswer("81"))
          .build();

  @Test
  void scoreFailsUnavailableDuringOutageAndSucceedsAfterRestart() throws Exception {
    Mesh mesh = Mesh.get();
    ManagedChannel ch = Stubs.channel(mesh.rewardPort); // the client's own channel, as a caller has
    Map<Status.Code, Integer> failures =
        Collections.synchronizedMap(new EnumMap<>(Status.Code.class));
    List<Long> okAfterRestart = Collections.synchronizedList(new ArrayList<>());
    java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
    AtomicBoolean down = new AtomicBoolean();
    AtomicBoolean restarted = new AtomicBoolean();
    long[] recoveredAtNanos = {0};
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);

    Thread client =
        new Thread(
            () -> {
              long backoffMs = 50;
              int okAfter = 0;
              while (okAfter < 5 && System.nanoTime() < limit) {
                try {
                  float r =
                      RewardServiceGrpc.newBlockingStub(ch)
                          .withDeadlineAfter(3, TimeUnit.SECONDS)
                          .score(REQ)
                          .getRewards(0);
                  assertEquals(1f, r);
                  backoffMs = 50;
                  if (restarted.get()) {
                    if (okAfter++ == 0) {
                      recoveredAtNanos[0] = System.nanoTime();
                    }
                    okAfterRestart.add(System.nanoTime());
                  }
                } catch (StatusRuntimeException e) {
                  failures.merge(e.getStatus().getCode(), 1, Integer::sum);
                  seen.add(
                      (down.get() ? (restarted.get() ? "after restart: " : "down: ") : "while up: ")
                          + e.getStatus().getCode()
                          + " "
                          + e.getStatus().getDescription());
                  backoffMs = Math.min(1000, backoffMs * 2);
                }
                try {
                  Thread.sleep(backoffMs); // 50 ms after a success, doubling to 1 s after failures
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "score-client");
    client.start();
    Thread.sleep(1000); // a few successful calls first

    down.set(true);
    mesh.reward().kill();
    Thread.sleep(Scale.rewardOutage().toMillis());
    long restartAt = System.nanoTime();
    mesh.restartReward();
    restarted.set(true);
    long servingAt = System.nanoTime();
    client.join(TimeUnit.SECONDS.toMillis(240));
    down.set(false);
    ch.shutdownNow();

    System.out.printf(
        "[reliability] reward outage %d s: failures %s; restart to SERVING %d ms; first success %d ms after SERVING%n",
        Scale.rewardOutage().toSeconds(),
        failures,
        (servingAt - restartAt) / 1_000_000,
        (recoveredAtNanos[0] - servingAt) / 1_000_000);
    System.out.println("[reliability] reward outage failures seen: " + seen);
    assertTrue(
        failures.getOrDefault(Status.Code.UNAVAILABLE, 0) > 0, "no UNAVAILABLE: " + failures);
    assertEquals(
        Map.of(Status.Code.UNAVAILABLE, failures.get(Status.Code.UNAVAILABLE)),
        failures,
        "only UNAVAILABLE expected during the outage: " + seen);
    assertEquals(5, okAfterRestart.size(), "calls did not succeed after the restart");
  }
}
