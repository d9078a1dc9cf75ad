package dev.rlhfmesh.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the run ran on: cores, CPU model, memory, load (printed with the table, kept in the JSON).
 */
public final class Machine {
  private Machine() {}

  public static Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("nproc", Runtime.getRuntime().availableProcessors());
    m.put("cpu", field(read("/proc/cpuinfo"), "model name"));
    String mem = field(read("/proc/meminfo"), "MemTotal");
    m.put("memory", mem == null ? null : gib(mem));
    String load = read("/proc/loadavg");
    m.put("loadavg", load == null ? null : firstFields(load, 3));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    return m;
  }

  /** 1-minute load average, NaN when unknown. */
  static double loadAverage() {
    String load = read("/proc/loadavg");
    try {
      return load == null ? Double.NaN : Double.parseDouble(firstFields(load, 1));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  static String firstFields(String text, int n) {
    String[] p = text.strip().split("\\s+");
    return String.join(" ", java.util.Arrays.copyOf(p, Math.min(n, p.length)));
  }

  /** The value of the first "key : value" line with that key. */
  static String field(String text, String key) {
    if (text == null) {
      return null;
    }
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  /** "24591312 kB" → "23.5 GiB". */
  static String gib(String memTotal) {
    String[] p = memTotal.split("\\s+");
    return String.format(java.util.Locale.ROOT, "%.1f GiB", Long.parseLong(p[0]) / 1024.0 / 1024.0);
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      return null;
    }
  }
}
