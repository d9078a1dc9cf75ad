package dev.rlhfmesh.launcher.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {
  @Test
  void next_handsOutDistinctBindablePortsBelowTheEphemeralRange() throws Exception {
    int low = FreePorts.ephemeralLow();
    assertTrue(low >= 1024, "ephemeral range read as starting at " + low);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.next();
      assertTrue(seen.add(port), "port " + port + " handed out twice");
      if (low > 10_000) {
        assertTrue(port < low, "port " + port + " is in the ephemeral range from " + low);
      }
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        assertEquals(port, s.getLocalPort());
      }
    }
  }
}
