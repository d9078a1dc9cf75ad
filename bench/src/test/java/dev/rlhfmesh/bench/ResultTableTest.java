package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  @Test
  void cells_throughputRowShowsRatioAndVerdict() {
    Figure f = new Figure("decode batch 1", "tok/s", 1400, 2000, "peer", Target.atLeast(0.7), null);
    assertArrayEquals(
        new String[] {
          "decode batch 1", "1,400 tok/s", "peer", "2,000 tok/s", "0.70×", "≥ 0.7×", "pass"
        },
        ResultTable.cells(f));
  }

  @Test
  void cells_timeRowAboveBoundFails() {
    Figure f = new Figure("PPO", "ms", 650, 500, "peer", Target.atMost(1.2), null);
    assertEquals("FAIL", ResultTable.cells(f)[6]);
    assertEquals("1.30×", ResultTable.cells(f)[4]);
  }

  @Test
  void cells_missingRowSaysWhy() {
    Figure f = Figure.missing("served", "tok/s", "peer", Target.atLeast(1.0), "service not built");
    String[] c = ResultTable.cells(f);
    assertEquals("n/a (service not built)", c[1]);
    assertEquals("n/a", c[4]);
    assertEquals("n/a", c[6]);
  }

  @Test
  void render_alignsColumnsWithHeaderAndRule() {
    String t =
        ResultTable.render(
            List.of(
                new Figure("a", "ms", 1.5, 3, "b", null, null),
                new Figure("long name", "ms", 12.25, 10, "b", null, "x")));
    String[] lines = t.split("\n");
    assertEquals(4, lines.length);
    assertEquals(lines[0].length(), lines[1].length());
    assertEquals(lines[0].length(), lines[2].length());
    assertEquals(lines[0].length(), lines[3].length());
    assertEquals("| a         | 1.50 ms | b   | 3.00 ms   | 0.50× |        |        |", lines[2]);
  }

  @Test
  void format_scalesDigitsToMagnitude() {
    assertEquals("12,346", Figure.format(12345.6));
    assertEquals("12.3", Figure.format(12.34));
    assertEquals("0.12", Figure.format(0.123));
    assertEquals("n/a", Figure.format(Double.NaN));
  }

  @Test
  void toMap_writesNaNAsNull() {
    Map<String, Object> m = Figure.missing("x", "ms", "peer", null, "why").toMap();
    assertNull(m.get("value"));
    assertNull(m.get("ratio"));
    assertEquals("why", m.get("note"));
  }
}
