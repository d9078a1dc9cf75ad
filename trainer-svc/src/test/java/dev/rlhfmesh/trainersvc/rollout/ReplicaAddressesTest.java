package dev.rlhfmesh.trainersvc.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaAddressesTest {
  @Test
  void resolve_listsEachAddressOnceInOrder() {
    List<InetSocketAddress> a =
        ReplicaAddresses.resolve(
            "k", List.of("127.0.0.1:9002", " 127.0.0.2:9002 ", "127.0.0.1:9002", "[::1]:9003"));
    assertEquals(
        List.of("127.0.0.1:9002", "127.0.0.2:9002", "[0:0:0:0:0:0:0:1]:9003"),
        a.stream().map(ReplicaAddresses::target).toList());
  }

  @Test
  void resolve_aNameWithSeveralAddressesGivesOneReplicaPerAddress() throws Exception {
    int expected = InetAddress.getAllByName("localhost").length;
    assertEquals(expected, ReplicaAddresses.resolve("k", List.of("localhost:9002")).size());
  }

  @Test
  void resolve_badEntriesNameTheKey() {
    for (String bad : List.of("nohost", "host:", "host:x", "host:70000")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> ReplicaAddresses.resolve("rlhf.trainer.policy-replicas", List.of(bad)));
      assertTrue(e.getMessage().startsWith("rlhf.trainer.policy-replicas"), e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> ReplicaAddresses.resolve("k", List.of()));
  }

  @Test
  void pairByHost_matchesAdminsToReplicasByAddressNotPosition() {
    // As two separately resolved headless names can come back: other order, a starting pod
    // (10.0.0.9) only on the publish-not-ready admin name.
    List<InetSocketAddress> replicas =
        ReplicaAddresses.resolve("k", List.of("10.0.0.1:9002", "10.0.0.2:9002"));
    List<InetSocketAddress> admins =
        ReplicaAddresses.resolve("k", List.of("10.0.0.9:9102", "10.0.0.2:9102", "10.0.0.1:9102"));
    List<String> names = ReplicaAddresses.pairByHost(replicas, admins);
    assertEquals(3, names.size());
    assertNull(names.get(0));
    assertEquals("10.0.0.2:9002", names.get(1));
    assertEquals("10.0.0.1:9002", names.get(2));
  }

  @Test
  void pairByHost_severalReplicasOnOneHost_pairInListedOrder() {
    List<InetSocketAddress> replicas =
        ReplicaAddresses.resolve("k", List.of("127.0.0.1:7001", "127.0.0.1:7002"));
    List<InetSocketAddress> admins =
        ReplicaAddresses.resolve("k", List.of("127.0.0.1:8001", "127.0.0.1:8002"));
    assertEquals(
        List.of("127.0.0.1:7001", "127.0.0.1:7002"), ReplicaAddresses.pairByHost(replicas, admins));
  }
}
