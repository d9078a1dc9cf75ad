package dev.rlhfmesh.reliability;

import java.time.Duration;

/**
 * Short form (CI, the default) or long form ({@code -Dreliability.long=true}) of every count and
 * duration in this module, in one place so the README can quote them.
 */
public final class Scale {
  /** True when the long form was asked for. */
  public static final boolean LONG = Boolean.getBoolean("reliability.long");

  private Scale() {}

  /** Concurrent GenerateStream callers below capacity: 16 short, 64 long. */
  public static int loadStreams() {
    return LONG ? 64 : 16;
  }

  /** How long the load runs: 15 s short, 60 s long. */
  public static Duration loadDuration() {
    return Duration.ofSeconds(LONG ? 60 : 15);
  }

  /** Rounds of the whole bad-input table sent before the RSS is read again: 5 short, 40 long. */
  public static int badInputRounds() {
    return LONG ? 40 : 5;
  }

  /** How long reward-svc stays down in the outage test: 3 s short, 10 s long. */
  public static Duration rewardOutage() {
    return Duration.ofSeconds(LONG ? 10 : 3);
  }

  /**
   * RSS growth allowed after the bad-input rounds or the load, in MiB: 96 short, 128 long. A JVM
   * with -Xmx3g may still grow its heap by a step of ~50 MiB after the warm-up (seen once: 427 ->
   * 475 MiB, then flat); a leak of a few KiB per call grows by far more over thousands of calls.
   */
  public static long rssToleranceMib() {
    return LONG ? 128 : 96;
  }
}
