package dev.rlhfmesh.gateway.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringFilterTest {
  @Test
  void accept_holdsBackAPossibleStopPrefixAndReleasesItWhenItIsNot() {
    StopStringFilter f = new StopStringFilter(List.of("STOP"));
    assertEquals("ab", f.accept("abST"));
    assertEquals("STc", f.accept("c"));
    assertFalse(f.stopped());
  }

  @Test
  void accept_cutsBeforeAStopStringSplitAcrossPieces() {
    StopStringFilter f = new StopStringFilter(List.of("STOP"));
    assertEquals("a", f.accept("aS"));
    assertEquals("", f.accept("TO"));
    assertEquals("", f.accept("Pxyz"));
    assertTrue(f.stopped());
    assertEquals("", f.accept("more"));
    assertEquals("", f.finish());
  }

  @Test
  void accept_earliestOfSeveralStopsWins() {
    StopStringFilter f = new StopStringFilter(List.of("yy", "b"));
    assertEquals("a", f.accept("abyy"));
  }

  @Test
  void finish_releasesHeldTextWhenNoStopCame() {
    StopStringFilter f = new StopStringFilter(List.of("STOP"));
    assertEquals("x", f.accept("xSTO"));
    assertEquals("STO", f.finish());
  }

  @Test
  void cut_withoutStopsIsIdentity() {
    assertEquals("hello", StopStringFilter.cut("hello", List.of()));
  }
}
