package dev.rlhfmesh.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One row of the benchmark: our figure, what it is compared with (the peer's figure or the
 * machine's limit measured in the same run), their ratio and an optional target on that ratio.
 *
 * @param name what is measured, e.g. "decode batch 1"
 * @param unit unit of {@code value} and {@code reference}, e.g. "tok/s"
 * @param value our median, NaN when not measured
 * @param reference the median it is compared with, NaN when not measured
 * @param versus what the reference is ("PyTorch eager", "DJL matmul peak", ...)
 * @param target bound on value / reference, or null
 * @param note why a figure is missing, or a remark; null when none
 */
public record Figure(
    String name,
    String unit,
    double value,
    double reference,
    String versus,
    Target target,
    String note) {

  /** A row that could not be measured, with the reason. */
  public static Figure missing(String name, String unit, String versus, Target target, String why) {
    return new Figure(name, unit, Double.NaN, Double.NaN, versus, target, why);
  }

  public double ratio() {
    return Stats.ratio(value, reference);
  }

  /** "pass", "FAIL", "n/a" (target but no ratio) or "" (no target). */
  public String verdict() {
    if (target == null) {
      return "";
    }
    if (Double.isNaN(ratio())) {
      return "n/a";
    }
    return target.passes(ratio()) ? "pass" : "FAIL";
  }

  /** The row as JSON-ready values (NaN written as null). */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("unit", unit);
    m.put("value", finiteOrNull(value));
    m.put("reference", finiteOrNull(reference));
    m.put("versus", versus);
    m.put("ratio", finiteOrNull(ratio()));
    m.put("target", target == null ? null : target.toString());
    m.put("verdict", verdict().isEmpty() ? null : verdict());
    m.put("note", note);
    return m;
  }

  private static Double finiteOrNull(double v) {
    return Double.isFinite(v) ? v : null;
  }

  /** Compact number: thousands separators above 100, 3 significant figures below. */
  static String format(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    double a = Math.abs(v);
    if (a >= 100) {
      return String.format(Locale.ROOT, "%,.0f", v);
    }
    if (a >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }

  /** A bound without useless zeros: 1.0 → "1.0", 0.7 → "0.7", 1.25 → "1.25". */
  static String trim(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    return s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
  }
}
