package dev.rlhfmesh.rewardsvc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rlhfmesh.rewardsvc.rules.FormatCheck;
import dev.rlhfmesh.rewardsvc.rules.RegexMatch;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class CompositeRewardTest {
  private static final RewardSpec A =
      new RewardSpec.Rule("a", "format", FormatCheck.named("digits", 1f, 0f));
  private static final RewardSpec B =
      new RewardSpec.Rule("b", "regex", new RegexMatch(Pattern.compile("x"), false, 1f, 0f));

  private static CompositeReward composite(
      Optional<Float> lo, Optional<Float> hi, RunningMoments m) {
    return new CompositeReward(
        "c",
        List.of(new CompositeReward.Part(A, 2f), new CompositeReward.Part(B, -0.5f)),
        lo,
        hi,
        m);
  }

  @Test
  void compose_isTheWeightedSumOfTheComponents() {
    CompositeReward c = composite(Optional.empty(), Optional.empty(), null);
    CompositeReward.Composed out = c.compose(new float[][] {{1f, 0f, 3f}, {1f, 2f, 0f}});
    // 2*1 - 0.5*1 = 1.5; 2*0 - 0.5*2 = -1; 2*3 - 0 = 6
    assertArrayEquals(new float[] {1.5f, -1f, 6f}, out.rawTotals());
    assertArrayEquals(new float[] {1.5f, -1f, 6f}, out.rewards());
  }

  @Test
  void compose_clipsTheFinalRewardButNotTheRawTotal() {
    CompositeReward c = composite(Optional.of(-0.5f), Optional.of(2f), null);
    CompositeReward.Composed out = c.compose(new float[][] {{1f, 0f, 3f}, {1f, 2f, 0f}});
    assertArrayEquals(new float[] {1.5f, -0.5f, 2f}, out.rewards());
    assertArrayEquals(new float[] {1.5f, -1f, 6f}, out.rawTotals());
  }

  @Test
  void compose_normalisesByRunningMeanAndStd() {
    CompositeReward c = composite(Optional.empty(), Optional.empty(), new RunningMoments(0));
    // raw totals 2, 4, 6 (weights 2 and -0.5 over b = 0): mean 4, population std sqrt(8/3)
    CompositeReward.Composed out = c.compose(new float[][] {{1f, 2f, 3f}, {0f, 0f, 0f}});
    float s = (float) Math.sqrt(8.0 / 3.0);
    assertArrayEquals(new float[] {-2f / s, 0f, 2f / s}, out.rewards(), 1e-6f);
  }

  @Test
  void runningMoments_accumulateAcrossBatches() {
    RunningMoments m = new RunningMoments(0);
    m.updateAndNormalise(new float[] {1f, 3f});
    float[] second = m.updateAndNormalise(new float[] {5f});
    // all seen: 1, 3, 5 -> mean 3, variance 8/3
    assertEquals(3, m.count());
    assertEquals(3.0, m.mean(), 1e-12);
    assertEquals(8.0 / 3.0, m.variance(), 1e-12);
    assertEquals((float) (2 / Math.sqrt(8.0 / 3.0)), second[0], 1e-6f);
  }

  @Test
  void constructor_rejectsNestedCompositesAndInvertedClips() {
    CompositeReward inner = composite(Optional.empty(), Optional.empty(), null);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new CompositeReward(
                "outer",
                List.of(new CompositeReward.Part(inner, 1f)),
                Optional.empty(),
                Optional.empty(),
                null));
    assertThrows(
        IllegalArgumentException.class, () -> composite(Optional.of(1f), Optional.of(0f), null));
  }
}
