package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OptionsTest {
  @Test
  void parse_defaultsAndOverrides() {
    BenchMain.Options d = BenchMain.Options.parse(new String[0]);
    assertEquals(Path.of("bench/target/bench.json"), d.out());
    assertEquals(3, d.repeats());
    assertEquals(
        BenchMain.autoThreads(Runtime.getRuntime().availableProcessors(), Machine.loadAverage()),
        d.threads());
    BenchMain.Options o =
        BenchMain.Options.parse(
            new String[] {"--out", "x.json", "--repeats", "5", "--threads", "1", "--no-services"});
    assertEquals(Path.of("x.json"), o.out());
    assertEquals(5, o.repeats());
    assertEquals(1, o.threads());
    assertFalse(o.services());
  }

  @Test
  void autoThreads_twoOnAnIdleMachineOneWhenLoadReachesCores() {
    assertEquals(2, BenchMain.autoThreads(2, 0.5));
    assertEquals(1, BenchMain.autoThreads(2, 2.0));
    assertEquals(2, BenchMain.autoThreads(16, 3.0));
    assertEquals(1, BenchMain.autoThreads(1, 0.0));
    assertEquals(2, BenchMain.autoThreads(2, Double.NaN));
  }

  @Test
  void parse_rejectsUnknownArgumentAndZeroRepeats() {
    assertThrows(
        IllegalArgumentException.class, () -> BenchMain.Options.parse(new String[] {"-x"}));
    assertThrows(
        IllegalArgumentException.class,
        () -> BenchMain.Options.parse(new String[] {"--repeats", "0"}));
  }
}
