package dev.rlhfmesh.trainersvc.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RolloutPipelineTest {
  /** Runs a learner of {@code iterations} updates; returns, per iteration, the lag it saw. */
  private static Map<Integer, Integer> run(int maxLag, int iterations) throws Exception {
    AtomicInteger published = new AtomicInteger();
    Map<Integer, Integer> versionAtCollect = new ConcurrentHashMap<>();
    RolloutPipeline.Source source =
        it -> {
          versionAtCollect.put(it, published.get());
          return new RolloutBatch(it, List.of(), published.get(), Map.of());
        };
    Map<Integer, Integer> lag = new ConcurrentHashMap<>();
    try (RolloutPipeline p = new RolloutPipeline(source, 0, iterations, maxLag, 0)) {
      for (int it = 0; it < iterations; it++) {
        RolloutBatch b = p.take();
        assertEquals(it, b.iteration());
        Thread.sleep(5); // the learner is slower than the producer
        lag.put(it, it - versionAtCollect.get(it));
        published.set(it + 1);
        p.published(it + 1);
      }
    }
    return lag;
  }

  @Test
  void lagZero_collectsEachIterationOnlyAfterThePreviousSync() throws Exception {
    run(0, 8).values().forEach(l -> assertEquals(0, l));
  }

  @Test
  void lagTwo_runsAheadButNeverMoreThanTwoVersions() throws Exception {
    Map<Integer, Integer> lag = run(2, 12);
    lag.values().forEach(l -> assertTrue(l >= 0 && l <= 2, "lag " + l));
    assertTrue(lag.values().stream().anyMatch(l -> l > 0), "the producer did run ahead: " + lag);
  }

  @Test
  void producerFailure_reachesTheConsumer() {
    RolloutPipeline.Source source =
        it -> {
          throw new IllegalStateException("generate failed");
        };
    try (RolloutPipeline p = new RolloutPipeline(source, 0, 3, 0, 0)) {
      Exception e = assertThrows(IllegalStateException.class, p::take);
      assertEquals("generate failed", e.getMessage());
    }
  }
}
