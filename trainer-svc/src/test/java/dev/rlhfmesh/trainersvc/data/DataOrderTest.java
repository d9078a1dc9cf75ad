package dev.rlhfmesh.trainersvc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataOrderTest {
  @Test
  void take_fromACursorEqualsTheSameSpanOfOneLongDraw() {
    DataOrder order = new DataOrder(10, 3);
    int[] all = order.take(0, 35);
    assertArrayEquals(Arrays.copyOfRange(all, 17, 29), new DataOrder(10, 3).take(17, 12));
  }

  @Test
  void take_visitsEveryExampleOncePerEpoch() {
    int[] epoch = new DataOrder(10, 3).take(10, 10);
    assertArrayEquals(IntStream.range(0, 10).toArray(), Arrays.stream(epoch).sorted().toArray());
  }

  @Test
  void split_holdsOutTheFractionDeterministically() {
    List<Integer> items = IntStream.range(0, 100).boxed().toList();
    List<List<Integer>> a = DataOrder.split(items, 0.2, 5);
    assertEquals(80, a.get(0).size());
    assertEquals(20, a.get(1).size());
    assertEquals(a, DataOrder.split(items, 0.2, 5));
  }
}
