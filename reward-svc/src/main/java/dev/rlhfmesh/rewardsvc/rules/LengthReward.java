package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.EnumSet;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Length penalty. With a target length L: {@code -scale * |len - L|} (0 at the target); without
 * one: {@code -scale * len}. The length is counted in response tokens (the ids, end token included)
 * or in characters (Unicode code points of the text without trailing end tokens).
 */
public final class LengthReward implements RewardFunction {

  /** What a length is counted in. */
  public enum Unit {
    TOKENS,
    CHARS
  }

  private final Unit unit;
  private final OptionalInt target;
  private final float scale;

  public LengthReward(Unit unit, OptionalInt target, float scale) {
    this.unit = unit;
    this.target = target;
    this.scale = scale;
  }

  @Override
  public String description() {
    String u = unit == Unit.TOKENS ? "tokens" : "chars";
    return target.isPresent()
        ? "length penalty -" + scale + " * |len - " + target.getAsInt() + "| in response " + u
        : "length penalty -" + scale + " * len in response " + u;
  }

  @Override
  public Set<Input> inputs() {
    return EnumSet.of(unit == Unit.TOKENS ? Input.RESPONSE_IDS : Input.RESPONSE_TEXT);
  }

  @Override
  public float score(Sample sample) {
    int len =
        unit == Unit.TOKENS
            ? sample.responseIds().length
            : sample.responseText().codePointCount(0, sample.responseText().length());
    int excess = target.isPresent() ? Math.abs(len - target.getAsInt()) : len;
    return 0f - scale * excess; // 0, not -0, at the target
  }
}
