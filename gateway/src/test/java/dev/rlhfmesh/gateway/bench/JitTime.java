package dev.rlhfmesh.gateway.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The seconds a JVM's JIT compilers have spent compiling so far, read with the JDK's {@code jstat
 * -compiler} (its "Time" column). A benchmark reads it before and after its measured rounds: a
 * service whose compilers are still busy there is measured while part of its CPU goes to compiling,
 * not serving. NaN when it cannot be read (no jstat beside this JVM, another user's process).
 */
final class JitTime {
  private JitTime() {}

  static double seconds(long pid) {
    Path jstat = Path.of(System.getProperty("java.home"), "bin", "jstat");
    if (!Files.isExecutable(jstat)) {
      return Double.NaN;
    }
    try {
      Process p =
          new ProcessBuilder(jstat.toString(), "-compiler", Long.toString(pid))
              .redirectErrorStream(true)
              .start();
      // wait first (its two lines fit any pipe buffer): reading to the end first would block on a
      // jstat that never exits, and the timeout would never be reached
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return Double.NaN;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return p.exitValue() == 0 ? parse(out) : Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** The "Time" column of {@code jstat -compiler}'s output (a header line, then one of values). */
  static double parse(String jstatOutput) {
    String[] lines = jstatOutput.strip().split("\\R");
    if (lines.length < 2) {
      return Double.NaN;
    }
    String[] names = lines[0].trim().split("\\s+");
    String[] values = lines[lines.length - 1].trim().split("\\s+");
    for (int i = 0; i < names.length && i < values.length; i++) {
      if (names[i].equals("Time")) {
        try {
          return Double.parseDouble(values[i]);
        } catch (NumberFormatException e) {
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }
}
