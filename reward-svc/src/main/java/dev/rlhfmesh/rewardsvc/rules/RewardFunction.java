package dev.rlhfmesh.rewardsvc.rules;

import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.Set;

/**
 * A rule-based reward: a pure function of one sample. The engine fills in the {@link #inputs()}
 * (decoding or encoding through tokenizer-svc) and calls {@link #check} on every sample of a batch
 * before it scores any, so a bad sample fails the whole call and nothing is half-scored.
 */
public interface RewardFunction {

  /** What a function reads from a sample. */
  enum Input {
    /** {@link Sample#responseText()}, without trailing end tokens. */
    RESPONSE_TEXT,
    /** {@link Sample#responseIds()}. */
    RESPONSE_IDS,
    /** {@link Sample#referenceAnswer()}. */
    REFERENCE_ANSWER
  }

  /** One line for ListRewards. */
  String description();

  /** What the function reads. */
  Set<Input> inputs();

  /**
   * Rejects a sample (as the caller sent it, before texts or ids are filled in) that the function
   * cannot score, throwing {@code ServiceException.invalidArgument("samples[<index>].<field>",
   * ...)}.
   */
  default void check(int index, Sample sample) {}

  /** The reward of one prepared sample. */
  float score(Sample sample);
}
