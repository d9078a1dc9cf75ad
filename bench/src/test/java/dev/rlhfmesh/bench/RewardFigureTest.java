package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RewardFigureTest {
  @Test
  void batches_areSeededRolloutShapedAndWithinTheModel() {
    List<List<RewardFigure.Sample>> a = RewardFigure.batches(256);
    List<List<RewardFigure.Sample>> b = RewardFigure.batches(256);
    assertEquals(RewardFigure.DISTINCT_BATCHES, a.size());
    for (int k = 0; k < a.size(); k++) {
      assertEquals(RewardFigure.BATCH, a.get(k).size());
      for (int i = 0; i < a.get(k).size(); i++) {
        RewardFigure.Sample s = a.get(k).get(i);
        int[] joined = s.joined();
        assertTrue(joined.length >= 16 && joined.length <= 64, "length " + joined.length);
        assertTrue(s.prompt().length >= 8 && s.response().length >= 8);
        for (int id : joined) {
          assertTrue(id >= 0 && id < 256, "id " + id);
        }
        assertArrayEquals(joined, b.get(k).get(i).joined()); // same seed, same batches
      }
    }
  }

  @Test
  void joined_isPromptThenResponse() {
    RewardFigure.Sample s = new RewardFigure.Sample(new int[] {1, 2}, new int[] {3});
    assertArrayEquals(new int[] {1, 2, 3}, s.joined());
  }

  @Test
  void maxAbsDiff_largestGapOrNaNWhenNotComparable() {
    assertEquals(0.5, RewardFigure.maxAbsDiff(new float[] {1f, 2f}, new float[] {1.25f, 2.5f}));
    assertEquals(0.0, RewardFigure.maxAbsDiff(new float[] {-3f}, new float[] {-3f}));
    assertTrue(Double.isNaN(RewardFigure.maxAbsDiff(new float[] {1f}, new float[] {1f, 2f})));
    assertTrue(Double.isNaN(RewardFigure.maxAbsDiff(new float[] {Float.NaN}, new float[] {1f})));
  }
}
