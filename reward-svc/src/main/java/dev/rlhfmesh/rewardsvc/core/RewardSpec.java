package dev.rlhfmesh.rewardsvc.core;

import dev.rlhfmesh.rewardsvc.rules.RewardFunction;
import java.util.List;

/** A named reward configured in {@code rlhf.reward.specs.<name>.*}. */
public sealed interface RewardSpec permits RewardSpec.Rule, RewardSpec.Model, CompositeReward {

  String name();

  /** One line for ListRewards. */
  String description();

  /** A rule-based function of one sample. */
  record Rule(String name, String type, RewardFunction function) implements RewardSpec {
    @Override
    public String description() {
      return function.description();
    }
  }

  /** A learned reward model, scored through its dynamic batcher. */
  record Model(String name, ModelScorer scorer) implements RewardSpec {
    @Override
    public String description() {
      return scorer.description();
    }
  }

  /** The specs whose values a spec is made of: itself, or a composite's components. */
  static List<RewardSpec> leaves(RewardSpec spec) {
    if (spec instanceof CompositeReward c) {
      return c.parts().stream().map(CompositeReward.Part::spec).toList();
    }
    return List.of(spec);
  }
}
