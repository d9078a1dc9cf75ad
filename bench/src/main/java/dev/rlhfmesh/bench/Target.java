package dev.rlhfmesh.bench;

/**
 * A pass/fail bound on a ratio: {@code ratio ≥ bound} for "at least" targets (throughput), {@code
 * ratio ≤ bound} for "at most" targets (time).
 */
public record Target(boolean atLeast, double bound) {

  public static Target atLeast(double bound) {
    return new Target(true, bound);
  }

  public static Target atMost(double bound) {
    return new Target(false, bound);
  }

  /** Whether the ratio meets the target; false for a missing (NaN) ratio. */
  public boolean passes(double ratio) {
    if (Double.isNaN(ratio)) {
      return false;
    }
    return atLeast ? ratio >= bound : ratio <= bound;
  }

  @Override
  public String toString() {
    return (atLeast ? "≥ " : "≤ ") + Figure.trim(bound) + "×";
  }
}
