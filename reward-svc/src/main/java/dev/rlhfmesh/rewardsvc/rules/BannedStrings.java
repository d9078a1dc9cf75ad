package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Banned strings: {@code -penalty} for every distinct banned string that occurs in the response
 * text (so 0 for a clean response). Case-insensitive unless configured otherwise.
 */
public final class BannedStrings implements RewardFunction {
  private final List<String> banned;
  private final boolean caseSensitive;
  private final float penalty;

  public BannedStrings(List<String> banned, boolean caseSensitive, float penalty) {
    if (banned.isEmpty() || banned.stream().anyMatch(String::isEmpty)) {
      throw new IllegalArgumentException("banned strings must be a non-empty list of non-empty");
    }
    this.caseSensitive = caseSensitive;
    this.banned = banned.stream().map(this::fold).distinct().toList();
    this.penalty = penalty;
  }

  @Override
  public String description() {
    return "banned strings "
        + banned
        + (caseSensitive ? "" : " (any case)")
        + ": -"
        + penalty
        + " per distinct one found";
  }

  @Override
  public Set<Input> inputs() {
    return EnumSet.of(Input.RESPONSE_TEXT);
  }

  @Override
  public float score(Sample sample) {
    String text = fold(sample.responseText());
    int found = 0;
    for (String b : banned) {
      if (text.contains(b)) {
        found++;
      }
    }
    return 0f - penalty * found; // 0, not -0, when clean
  }

  private String fold(String s) {
    return caseSensitive ? s : s.toLowerCase(Locale.ROOT);
  }
}
