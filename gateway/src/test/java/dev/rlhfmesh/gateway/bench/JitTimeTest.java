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
  void readsThisJvmsOwnCompileTimeAndItGrows() {
    double before = JitTime.seconds(ProcessHandle.current().pid());
    assertTrue(before >= 0, "jstat -compiler on this JVM: " + before);
    long sum = 0;
    for (int i = 0; i < 50_000_000; i++) { // something for the JIT to compile
      sum += Long.hashCode(sum * 31 + i);
    }
    double after = JitTime.seconds(ProcessHandle.current().pid());
    assertTrue(after >= before, "after " + after + " < before " + before + " (" + sum + ")");
  }
}
