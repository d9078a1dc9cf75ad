package dev.rlhfmesh.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The benchmark's load shapes: every call made once, in sequence per client, timed. */
class ClosedLoopTest {
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void chains_makeEveryCallOnceAndTimeItsCompletion() throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger mostInFlight = new AtomicInteger();
    double[] latencies =
        ClosedLoop.chains(
            (index, done) -> {
              assertTrue(seen.add(index), "call " + index + " made twice");
              mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
              timer.schedule(
                  () -> {
                    inFlight.decrementAndGet();
                    done.accept(null);
                  },
                  2,
                  TimeUnit.MILLISECONDS);
            },
            3,
            5);
    assertEquals(15, latencies.length);
    assertEquals(15, seen.size());
    for (int i = 0; i < 15; i++) {
      assertTrue(seen.contains(i), "call " + i + " not made");
      assertTrue(latencies[i] >= 2, "latency " + latencies[i] + " ms below the 2 ms the call took");
    }
    assertTrue(mostInFlight.get() <= 3, "more calls in flight than clients: " + mostInFlight);
  }

  @Test
  void chains_failWithTheFirstCallsFailure() {
    RuntimeException boom = new RuntimeException("boom");
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                ClosedLoop.chains(
                    (index, done) -> timer.execute(() -> done.accept(index == 7 ? boom : null)),
                    2,
                    10));
    assertSame(boom, e.getCause());
  }

  @Test
  void threads_makeEveryCallOnce() throws Exception {
    Set<Integer> seen = ConcurrentHashMap.newKeySet();
    double[] latencies =
        ClosedLoop.threads(index -> assertTrue(seen.add(index), "call made twice"), 4, 6);
    assertEquals(24, latencies.length);
    assertEquals(24, seen.size());
  }
}
