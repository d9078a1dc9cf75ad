package dev.rlhfmesh.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JitTimeTest {
  @Test
  void readsTheTimeColumnOfJstatCompiler() {
    String out =
        "Compiled Failed Invalid   Time   FailedType FailedMethod\n"
            + "    8607      0       0    21.51          0             \n";
    assertEquals(21.51, JitTime.parse(out), 1e-9);
  }

  @Test
  void unreadableOutputIsNaN() {
    assertTrue(Double.isNaN(JitTime.parse("")));
    assertTrue(Double.isNaN(JitTime.parse("12345 not found\n")));
  }

  @Test
  void readsARunningJvmsCompileTime() {
    // this JVM has compiled something by now (JUnit, the parser above); NaN fails both checks
    double seconds = JitTime.seconds(ProcessHandle.current().pid());
    assertTrue(seconds > 0 && seconds < 3600, "jstat -compiler on this JVM: " + seconds);
  }
}
