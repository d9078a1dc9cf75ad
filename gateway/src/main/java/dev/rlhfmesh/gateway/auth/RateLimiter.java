package dev.rlhfmesh.gateway.auth;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per key: {@code burst} tokens, refilled at {@code ratePerSecond}; a request
 * takes one token. When the bucket is empty the answer says how long until the next token.
 */
public final class RateLimiter {
  /** Allowed, or refused with the seconds to wait (rounded up, at least 1). */
  public record Decision(boolean allowed, long retryAfterSeconds) {
    static final Decision ALLOW = new Decision(true, 0);
  }

  private final double ratePerSecond;
  private final double burst;
  private final LongSupplier nanoClock;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public RateLimiter(double ratePerSecond, int burst, LongSupplier nanoClock) {
    if (ratePerSecond > 0 && burst < 1) {
      throw new IllegalArgumentException("rate-limit.burst must be >= 1, was " + burst);
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
    this.nanoClock = nanoClock;
  }

  public Decision acquire(String key) {
    if (ratePerSecond <= 0) {
      return Decision.ALLOW;
    }
    Bucket b = buckets.computeIfAbsent(key, k -> new Bucket(burst, nanoClock.getAsLong()));
    synchronized (b) {
      long now = nanoClock.getAsLong();
      b.tokens = Math.min(burst, b.tokens + (now - b.lastNanos) * ratePerSecond / 1e9);
      b.lastNanos = now;
      if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return Decision.ALLOW;
      }
      double waitSeconds = (1.0 - b.tokens) / ratePerSecond;
      return new Decision(false, Math.max(1, (long) Math.ceil(waitSeconds)));
    }
  }

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long lastNanos) {
      this.tokens = tokens;
      this.lastNanos = lastNanos;
    }
  }
}
