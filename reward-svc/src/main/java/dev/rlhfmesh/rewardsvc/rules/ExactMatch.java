package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code matchValue} when the normalised response equals the normalised reference answer, else
 * {@code missValue} (see {@link AnswerNormaliser} for the normalisation). The gold reward of the
 * demo task: {@code 81<|endoftext|>} against reference {@code 81} scores 1.
 */
public final class ExactMatch implements RewardFunction {
  private final AnswerNormaliser normaliser;
  private final float matchValue;
  private final float missValue;

  public ExactMatch(AnswerNormaliser normaliser, float matchValue, float missValue) {
    this.normaliser = normaliser;
    this.matchValue = matchValue;
    this.missValue = missValue;
  }

  @Override
  public String description() {
    return "exact match of the reference answer after trim, whitespace collapse, case-fold and"
        + " stripping a trailing end token/punctuation: "
        + matchValue
        + " on match, "
        + missValue
        + " otherwise";
  }

  @Override
  public Set<Input> inputs() {
    return EnumSet.of(Input.RESPONSE_TEXT, Input.REFERENCE_ANSWER);
  }

  @Override
  public void check(int index, Sample sample) {
    if (sample.referenceAnswer() == null) {
      throw ServiceException.invalidArgument(
          "samples[" + index + "].reference_answer", "", "required by an exact-match reward");
    }
  }

  @Override
  public float score(Sample sample) {
    String response = normaliser.normalise(sample.responseText());
    String reference = normaliser.normalise(sample.referenceAnswer());
    return response.equals(reference) ? matchValue : missValue;
  }
}
