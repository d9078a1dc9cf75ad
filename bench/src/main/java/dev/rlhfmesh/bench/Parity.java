package dev.rlhfmesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Proof that both sides run the same model: the largest logit difference on a fixed prompt and
 * whether 16 greedy tokens agree.
 */
public record Parity(double maxAbsLogitDiff, boolean greedyEqual, int[] ours, int[] peer) {

  /** Null when the peer did not run. */
  public static Parity of(float[] ourLogits, int[] ourGreedy, JsonNode peer) {
    JsonNode pl = peer.path("parity_logits");
    JsonNode pg = peer.path("parity_greedy");
    if (!pl.isArray() || !pg.isArray()) {
      return null;
    }
    double d = pl.size() == ourLogits.length ? 0 : Double.POSITIVE_INFINITY;
    for (int i = 0; i < Math.min(pl.size(), ourLogits.length); i++) {
      d = Math.max(d, Math.abs(ourLogits[i] - pl.get(i).asDouble()));
    }
    int[] theirs = new int[pg.size()];
    for (int i = 0; i < theirs.length; i++) {
      theirs[i] = pg.get(i).asInt();
    }
    return new Parity(d, Arrays.equals(ourGreedy, theirs), ourGreedy, theirs);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("max_abs_logit_diff", maxAbsLogitDiff);
    m.put("greedy_equal", greedyEqual);
    m.put("ours", ours);
    m.put("peer", peer);
    return m;
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "max |Δlogit| %.2e on a fixed prompt, 16 greedy tokens %s",
        maxAbsLogitDiff,
        greedyEqual
            ? "identical"
            : "DIFFER: " + Arrays.toString(ours) + " vs " + Arrays.toString(peer));
  }
}
