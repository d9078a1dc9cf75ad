package dev.rlhfmesh.launcher.report;

import java.io.PrintStream;
import java.time.Duration;

/**
 * One live line per stage: {@code SFT [#########.........] 45% 675/1500 ETA 01:23 loss 0.41}.
 * Redrawn in place with a carriage return; a newline when the stage ends.
 */
public final class ProgressBar {
  private static final int WIDTH = 28;
  private final String label;
  private final long total;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private long lastDrawNanos;

  public ProgressBar(String label, long total, PrintStream out) {
    this.label = label;
    this.total = Math.max(1, total);
    this.out = out;
  }

  /** Redraws at most ten times a second unless {@code force}. */
  public void update(long done, String status, boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastDrawNanos < 100_000_000L) {
      return;
    }
    lastDrawNanos = now;
    out.print("\r" + render(done, status, Duration.ofNanos(now - startNanos)));
    out.flush();
  }

  public void finish(long done, String status) {
    update(done, status, true);
    out.println();
  }

  String render(long done, String status, Duration elapsed) {
    double frac = Math.min(1.0, Math.max(0.0, done / (double) total));
    int filled = (int) Math.round(frac * WIDTH);
    String bar = "#".repeat(filled) + ".".repeat(WIDTH - filled);
    String eta = done > 0 ? format(elapsed.multipliedBy(total - done).dividedBy(done)) : "--:--";
    return String.format(
        "%-10s [%s] %3d%%  %d/%d  %s %s  %s",
        label,
        bar,
        Math.round(frac * 100),
        done,
        total,
        done >= total ? "took" : "ETA",
        done >= total ? format(elapsed) : eta,
        status == null ? "" : status);
  }

  static String format(Duration d) {
    long s = Math.max(0, d.getSeconds());
    return String.format("%02d:%02d", s / 60, s % 60);
  }
}
