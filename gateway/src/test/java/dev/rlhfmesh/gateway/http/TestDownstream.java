package dev.rlhfmesh.gateway.http;

/**
 * Which downstream the HTTP tests talk to. By default the fakes in {@code fakes/} served by the
 * test app; with {@code -Dgateway.test.real-downstream=true} (and {@code
 * -Dquarkus.grpc.clients.tokenizer.test-port=9001 -Dquarkus.grpc.clients.model.test-port=9002}) the
 * same tests run against real tokenizer-svc and model-svc processes, and only the assertions that
 * depend on the fakes' scripted text are skipped.
 */
final class TestDownstream {
  static final String KEY = "test-key-1";

  private TestDownstream() {}

  static boolean fakes() {
    return !Boolean.getBoolean("gateway.test.real-downstream");
  }

  /** A model the downstream serves. */
  static String model() {
    return System.getProperty("gateway.test.model", "policy");
  }
}
