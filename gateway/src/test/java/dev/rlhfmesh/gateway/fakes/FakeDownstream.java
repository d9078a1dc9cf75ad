package dev.rlhfmesh.gateway.fakes;

import io.grpc.Server;
import io.grpc.ServerBuilder;

/**
 * Serves the fakes as standalone processes for the benchmark: {@code FakeDownstream <tokenizerPort>
 * <modelPort> [tokenDelayMicros]}. (In tests the Quarkus test app serves them.)
 */
public final class FakeDownstream {
  private FakeDownstream() {}

  public static void main(String[] args) throws Exception {
    int tokenizerPort = args.length > 0 ? Integer.parseInt(args[0]) : 19001;
    int modelPort = args.length > 1 ? Integer.parseInt(args[1]) : 19002;
    FakeModel.tokenDelayMicros = args.length > 2 ? Long.parseLong(args[2]) : 0;
    Server tokenizer = ServerBuilder.forPort(tokenizerPort).addService(new FakeTokenizer()).build();
    Server model = ServerBuilder.forPort(modelPort).addService(new FakeModel()).build();
    tokenizer.start();
    model.start();
    System.out.printf(
        "fake tokenizer on %d, fake model on %d, %d us per token%n",
        tokenizerPort, modelPort, FakeModel.tokenDelayMicros);
    model.awaitTermination();
  }
}
