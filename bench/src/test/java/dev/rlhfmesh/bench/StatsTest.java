package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void median_oddCountIsMiddleOfSorted() {
    assertEquals(3.0, Stats.median(9, 1, 3));
  }

  @Test
  void median_evenCountIsMeanOfMiddlePair() {
    assertEquals(2.5, Stats.median(List.of(4, 1, 2, 3)));
  }

  @Test
  void median_emptyIsNaN() {
    assertTrue(Double.isNaN(Stats.median()));
  }

  @Test
  void ratio_missingOrZeroReferenceIsNaN() {
    assertEquals(0.5, Stats.ratio(1, 2));
    assertTrue(Double.isNaN(Stats.ratio(1, 0)));
    assertTrue(Double.isNaN(Stats.ratio(Double.NaN, 2)));
  }

  @Test
  void max_ignoresNaN() {
    assertEquals(3.0, Stats.max(Double.NaN, 3, 1));
    assertTrue(Double.isNaN(Stats.max(Double.NaN)));
  }

  @Test
  void target_atLeastAndAtMostBounds() {
    assertTrue(Target.atLeast(0.7).passes(0.7));
    assertFalse(Target.atLeast(0.7).passes(0.69));
    assertTrue(Target.atMost(1.2).passes(1.2));
    assertFalse(Target.atMost(1.2).passes(1.21));
    assertFalse(Target.atMost(1.2).passes(Double.NaN));
  }
}
