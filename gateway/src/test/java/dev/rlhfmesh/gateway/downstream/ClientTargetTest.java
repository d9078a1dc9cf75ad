package dev.rlhfmesh.gateway.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Address settings of a downstream client: what passes, and messages that name key and value. */
class ClientTargetTest {
  @Test
  void problem_noneForTheShippedSettings() {
    ClientTarget t = new ClientTarget("model", "model-svc.rlhf.svc", 9002, "dns");
    assertEquals(Optional.empty(), t.problem());
    assertEquals("dns:///model-svc.rlhf.svc:9002", t.target());
  }

  @Test
  void problem_unknownResolverSchemeNamesKeyAndValue() {
    String p = new ClientTarget("model", "localhost", 9002, "default").problem().orElseThrow();
    assertTrue(p.startsWith("quarkus.grpc.clients.model.name-resolver = 'default'"), p);
    assertTrue(p.contains("no gRPC name resolver"), p);
  }

  @Test
  void problem_unparseableHostNamesKeyAndValue() {
    String p = new ClientTarget("model", "model svc", 9002, "dns").problem().orElseThrow();
    assertTrue(p.startsWith("quarkus.grpc.clients.model.host = 'model svc'"), p);
    assertTrue(p.contains("dns:///model svc:9002"), p);
  }

  @Test
  void problem_portOutOfRangeAndEmptyHost() {
    assertTrue(
        new ClientTarget("tokenizer", "localhost", 0, "dns")
            .problem()
            .orElseThrow()
            .startsWith("quarkus.grpc.clients.tokenizer.port = 0"));
    assertTrue(
        new ClientTarget("trainer", " ", 9004, "dns")
            .problem()
            .orElseThrow()
            .startsWith("quarkus.grpc.clients.trainer.host = ' '"));
  }
}
