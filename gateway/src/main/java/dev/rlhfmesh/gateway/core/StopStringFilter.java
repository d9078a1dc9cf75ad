package dev.rlhfmesh.gateway.core;

import java.util.List;

/**
 * Applies OpenAI {@code stop} strings to streamed text: the text is cut before the first stop
 * string, and any tail that could still become a stop string is held back until the next piece
 * shows whether it does — so a client never sees part of a stop string.
 */
public final class StopStringFilter {
  private final List<String> stops;
  private final StringBuilder held = new StringBuilder();
  private boolean stopped;

  public StopStringFilter(List<String> stops) {
    this.stops = List.copyOf(stops);
  }

  /** Text that may be emitted now. */
  public String accept(String text) {
    if (stopped) {
      return "";
    }
    held.append(text);
    if (stops.isEmpty()) {
      return drain(held.length());
    }
    int cut = -1;
    for (String s : stops) {
      int at = held.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) {
        cut = at;
      }
    }
    if (cut >= 0) {
      stopped = true;
      String out = held.substring(0, cut);
      held.setLength(0);
      return out;
    }
    int keep = 0;
    for (String s : stops) {
      for (int k = Math.min(s.length() - 1, held.length()); k > keep; k--) {
        if (held.lastIndexOf(s.substring(0, k)) == held.length() - k) {
          keep = k;
          break;
        }
      }
    }
    return drain(held.length() - keep);
  }

  /** Whatever was held back, when the text ends without a stop string. */
  public String finish() {
    return stopped ? "" : drain(held.length());
  }

  /** Whether a stop string was seen (the choice is finished, reason "stop"). */
  public boolean stopped() {
    return stopped;
  }

  /** Whole text at once (unary calls): cut before the first stop string. */
  public static String cut(String text, List<String> stops) {
    StopStringFilter f = new StopStringFilter(stops);
    return f.accept(text) + f.finish();
  }

  private String drain(int n) {
    String out = held.substring(0, n);
    held.delete(0, n);
    return out;
  }
}
