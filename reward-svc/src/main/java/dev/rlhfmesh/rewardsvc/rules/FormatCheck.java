package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code passValue} when the whole response text (trailing end tokens stripped, then trimmed) has a
 * given format, else {@code failValue}. Named formats: {@code digits} ({@code [0-9]+}), {@code
 * integer} ({@code [+-]?[0-9]+}), {@code number} (a decimal with optional exponent); or any regular
 * expression the whole response must match.
 */
public final class FormatCheck implements RewardFunction {
  private final String name;
  private final Pattern pattern;
  private final float passValue;
  private final float failValue;

  private FormatCheck(String name, Pattern pattern, float passValue, float failValue) {
    this.name = name;
    this.pattern = pattern;
    this.passValue = passValue;
    this.failValue = failValue;
  }

  /** A named format: digits, integer or number. */
  public static FormatCheck named(String format, float passValue, float failValue) {
    String regex =
        switch (format) {
          case "digits" -> "[0-9]+";
          case "integer" -> "[+-]?[0-9]+";
          case "number" -> "[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+)?";
          default ->
              throw new IllegalArgumentException(
                  "format must be digits, integer or number, got '" + format + "'");
        };
    return new FormatCheck(format, Pattern.compile(regex), passValue, failValue);
  }

  /** The whole (trimmed) response must match this regular expression. */
  public static FormatCheck wholeMatch(Pattern pattern, float passValue, float failValue) {
    return new FormatCheck("/" + pattern.pattern() + "/", pattern, passValue, failValue);
  }

  @Override
  public String description() {
    return "format check: the whole response is " + name + ": " + passValue + ", else " + failValue;
  }

  @Override
  public Set<Input> inputs() {
    return EnumSet.of(Input.RESPONSE_TEXT);
  }

  @Override
  public float score(Sample sample) {
    return pattern.matcher(sample.responseText().strip()).matches() ? passValue : failValue;
  }
}
