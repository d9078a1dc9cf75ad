package dev.rlhfmesh.trainersvc.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
