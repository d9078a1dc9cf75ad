package dev.rlhfmesh.rewardsvc;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The one profile every {@code @QuarkusTest} of reward-svc uses (one app start for the module): a
 * tiny learned model written by {@link TinyRewardModels}, test-only rule and composite specs, and a
 * batching window wide enough that concurrent callers share forward passes.
 */
public class RewardTestProfile implements QuarkusTestProfile {
  public static final String ADMIN_TOKEN = "test-admin-token";

  @Override
  public Map<String, String> getConfigOverrides() {
    return Map.ofEntries(
        Map.entry("rlhf.reward.batching.max-batch-size", "16"),
        Map.entry("rlhf.reward.batching.max-wait-ms", "25"),
        Map.entry("rlhf.reward.specs.has-digit.type", "regex"),
        Map.entry("rlhf.reward.specs.has-digit.pattern", "[0-9]"),
        Map.entry("rlhf.reward.specs.all-digits.type", "regex"),
        Map.entry("rlhf.reward.specs.all-digits.pattern", "[0-9]+"),
        Map.entry("rlhf.reward.specs.all-digits.match", "full"),
        Map.entry("rlhf.reward.specs.yes-no.type", "format"),
        Map.entry("rlhf.reward.specs.yes-no.pattern", "yes|no"),
        Map.entry("rlhf.reward.specs.chars.type", "length"),
        Map.entry("rlhf.reward.specs.chars.unit", "chars"),
        Map.entry("rlhf.reward.specs.chars.scale", "0.5"),
        Map.entry("rlhf.reward.specs.polite.type", "banned"),
        Map.entry("rlhf.reward.specs.polite.strings", "sorry,as an ai"),
        Map.entry("rlhf.reward.specs.polite.penalty", "2"),
        Map.entry("rlhf.reward.specs.normalised.type", "composite"),
        Map.entry("rlhf.reward.specs.normalised.components", "chars"),
        Map.entry("rlhf.reward.specs.normalised.normalise", "true"),
        Map.entry("rlhf.reward.specs.model-and-gold.type", "composite"),
        Map.entry("rlhf.reward.specs.model-and-gold.components", "learned:0.5,exact-answer:2"),
        Map.entry("rlhf.reward.specs.updatable.type", "model"),
        Map.entry("rlhf.reward.admin.token", ADMIN_TOKEN),
        Map.entry("rlhf.reward.admin.host", "127.0.0.1"),
        Map.entry("rlhf.reward.admin.port", "0"));
  }

  @Override
  public List<TestResourceEntry> testResources() {
    return List.of(new TestResourceEntry(TinyRewardModels.class));
  }
}
