package dev.rlhfmesh.gateway.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  private final AtomicLong now = new AtomicLong();

  @Test
  void acquire_allowsBurstThenRefusesWithRetryHint() {
    RateLimiter l = new RateLimiter(0.5, 2, now::get);
    assertTrue(l.acquire("k").allowed());
    assertTrue(l.acquire("k").allowed());
    RateLimiter.Decision d = l.acquire("k");
    assertFalse(d.allowed());
    assertEquals(2, d.retryAfterSeconds()); // one token per 2 s
  }

  @Test
  void acquire_refillsAtTheConfiguredRate() {
    RateLimiter l = new RateLimiter(2, 1, now::get);
    assertTrue(l.acquire("k").allowed());
    assertFalse(l.acquire("k").allowed());
    now.addAndGet(500_000_000L); // 0.5 s = one token at 2/s
    assertTrue(l.acquire("k").allowed());
  }

  @Test
  void acquire_bucketsArePerKey() {
    RateLimiter l = new RateLimiter(1, 1, now::get);
    assertTrue(l.acquire("a").allowed());
    assertTrue(l.acquire("b").allowed());
    assertFalse(l.acquire("a").allowed());
  }

  @Test
  void acquire_zeroRateMeansUnlimited() {
    RateLimiter l = new RateLimiter(0, 0, now::get);
    for (int i = 0; i < 100; i++) {
      assertTrue(l.acquire("k").allowed());
    }
  }
}
