package dev.rlhfmesh.bench;

import java.util.Arrays;
import java.util.List;

/**
 * The few statistics the harness needs: median of repeats and ratios that tolerate missing data.
 */
public final class Stats {
  private Stats() {}

  /** Median of the samples (mean of the two middle ones for an even count); NaN when empty. */
  public static double median(double... samples) {
    if (samples == null || samples.length == 0) {
      return Double.NaN;
    }
    double[] s = samples.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  public static double median(List<? extends Number> samples) {
    return median(samples.stream().mapToDouble(Number::doubleValue).toArray());
  }

  /** a / b, or NaN when either is missing or b is not positive. */
  public static double ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || !(b > 0)) {
      return Double.NaN;
    }
    return a / b;
  }

  /** Largest finite value, NaN when none. */
  public static double max(double... values) {
    double m = Double.NaN;
    for (double v : values) {
      if (!Double.isNaN(v) && (Double.isNaN(m) || v > m)) {
        m = v;
      }
    }
    return m;
  }
}
