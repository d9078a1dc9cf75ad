package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code matchValue} when a regular expression (Java syntax) occurs in the response text ({@code
 * find}) or matches all of it ({@code full}), else {@code missValue}. The text is the response
 * without trailing end tokens, not trimmed.
 */
public final class RegexMatch implements RewardFunction {
  private final Pattern pattern;
  private final boolean full;
  private final float matchValue;
  private final float missValue;

  public RegexMatch(Pattern pattern, boolean full, float matchValue, float missValue) {
    this.pattern = pattern;
    this.full = full;
    this.matchValue = matchValue;
    this.missValue = missValue;
  }

  @Override
  public String description() {
    return "regex /"
        + pattern.pattern()
        + "/ "
        + (full ? "matches the whole response" : "occurs in the response")
        + ": "
        + matchValue
        + ", else "
        + missValue;
  }

  @Override
  public Set<Input> inputs() {
    return EnumSet.of(Input.RESPONSE_TEXT);
  }

  @Override
  public float score(Sample sample) {
    var m = pattern.matcher(sample.responseText());
    boolean hit = full ? m.matches() : m.find();
    return hit ? matchValue : missValue;
  }
}
