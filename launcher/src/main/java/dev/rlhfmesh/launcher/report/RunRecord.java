package dev.rlhfmesh.launcher.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a run measured: per-stage metric curves (step → name → value) and the headline
 * figures. Serialised as the report's JSON; the charts are drawn from it.
 */
public final class RunRecord {
  /** stage → step → metric → value. */
  private final Map<String, TreeMap<Integer, Map<String, Double>>> curves = new LinkedHashMap<>();

  /** Headline figures by name, in the order they were recorded. */
  private final Map<String, Object> figures = new LinkedHashMap<>();

  /** Before/after samples to show. */
  private final List<Map<String, String>> samples = new ArrayList<>();

  public synchronized void addPoint(String stage, int step, Map<String, Double> values) {
    curves
        .computeIfAbsent(stage, s -> new TreeMap<>())
        .computeIfAbsent(step, s -> new LinkedHashMap<>())
        .putAll(values);
  }

  public synchronized void putFigure(String name, Object value) {
    figures.put(name, value);
  }

  public synchronized void addSample(Map<String, String> sample) {
    samples.add(sample);
  }

  public synchronized Map<String, TreeMap<Integer, Map<String, Double>>> curves() {
    return curves;
  }

  public synchronized Map<String, Object> figures() {
    return figures;
  }

  public synchronized List<Map<String, String>> samples() {
    return samples;
  }

  /** The series of one metric of one stage, as (step, value) pairs in step order. */
  public synchronized List<double[]> series(String stage, String metric) {
    List<double[]> out = new ArrayList<>();
    TreeMap<Integer, Map<String, Double>> c = curves.get(stage);
    if (c == null) {
      return out;
    }
    c.forEach(
        (step, values) -> {
          Double v = values.get(metric);
          if (v != null && Double.isFinite(v)) {
            out.add(new double[] {step, v});
          }
        });
    return out;
  }
}
