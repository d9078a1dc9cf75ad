package dev.rlhfmesh.rewardsvc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.rewardsvc.core.CompositeReward;
import dev.rlhfmesh.rewardsvc.core.RewardSpec;
import dev.rlhfmesh.rewardsvc.core.Sample;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Spec syntax: what the README documents builds, and mistakes fail naming their key. */
class RewardSpecFactoryTest {

  private static RewardConfig config(Map<String, String> props) {
    Map<String, String> all = new HashMap<>(props);
    all.put("rlhf.reward.admin.stale-update-ttl", "PT10M"); // "10m" needs Quarkus' converter
    return new SmallRyeConfigBuilder()
        .withMapping(RewardConfig.class)
        .withSources(new PropertiesConfigSource(all, "test", 100))
        .build()
        .getConfigMapping(RewardConfig.class);
  }

  private static Map<String, RewardSpec> build(Map<String, String> props) {
    return RewardSpecFactory.build(
        config(props),
        (name, spec) -> {
          throw new AssertionError("no model specs here");
        });
  }

  @Test
  void build_makesEveryRuleTypeAndCompositesInConfiguredOrder() {
    Map<String, String> p = new HashMap<>();
    p.put("rlhf.reward.specs.gold.type", "exact-match");
    p.put("rlhf.reward.specs.has-x.type", "regex");
    p.put("rlhf.reward.specs.has-x.pattern", "x+");
    p.put("rlhf.reward.specs.short.type", "length");
    p.put("rlhf.reward.specs.short.unit", "chars");
    p.put("rlhf.reward.specs.short.target", "2");
    p.put("rlhf.reward.specs.num.type", "format");
    p.put("rlhf.reward.specs.num.format", "number");
    p.put("rlhf.reward.specs.nice.type", "banned");
    p.put("rlhf.reward.specs.nice.strings", "bad\\,word,ugly");
    p.put("rlhf.reward.specs.mix.type", "composite");
    p.put("rlhf.reward.specs.mix.components", "short:0.5, gold ,has-x:-2");
    Map<String, RewardSpec> specs = build(p);
    assertEquals(
        List.of("gold", "has-x", "mix", "nice", "num", "short"), List.copyOf(specs.keySet()));
    CompositeReward mix = (CompositeReward) specs.get("mix");
    assertEquals(
        List.of("short", "gold", "has-x"),
        mix.parts().stream().map(part -> part.spec().name()).toList());
    assertEquals(
        List.of(0.5f, 1f, -2f), mix.parts().stream().map(CompositeReward.Part::weight).toList());
    RewardSpec.Rule nice = (RewardSpec.Rule) specs.get("nice");
    assertEquals(-1f, nice.function().score(Sample.ofResponseText("a bad,word")));
    assertEquals(
        -2f,
        ((RewardSpec.Rule) specs.get("short")).function().score(Sample.ofResponseText("abcd")));
  }

  @Test
  void build_failsNamingTheKeyOfAMisconfiguredSpec() {
    assertFails(Map.of("rlhf.reward.specs.x.type", "vibes"), "rlhf.reward.specs.x");
    assertFails(
        Map.of("rlhf.reward.specs.r.type", "regex", "rlhf.reward.specs.r.pattern", "("),
        "rlhf.reward.specs.r");
    assertFails(Map.of("rlhf.reward.specs.f.type", "format"), "rlhf.reward.specs.f");
    assertFails(
        Map.of(
            "rlhf.reward.specs.c.type", "composite", "rlhf.reward.specs.c.components", "missing:1"),
        "rlhf.reward.specs.c.components");
    assertFails(
        Map.of(
            "rlhf.reward.specs.g.type", "exact-match",
            "rlhf.reward.specs.c.type", "composite",
            "rlhf.reward.specs.c.components", "g:heavy"),
        "rlhf.reward.specs.c.components");
  }

  private static void assertFails(Map<String, String> props, String key) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> build(props));
    assertTrue(e.getMessage().startsWith(key), e.getMessage());
  }
}
