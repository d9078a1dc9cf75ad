package dev.rlhfmesh.modelsvc;

import static dev.rlhfmesh.modelsvc.Calls.generate;
import static dev.rlhfmesh.modelsvc.Calls.ids;
import static dev.rlhfmesh.modelsvc.Calls.sampling;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.modelsvc.serving.ServedModel;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** 1,000 mixed calls (unary, streaming, scoring, cancelled) leave NDArrays and RSS flat. */
@QuarkusTest
class MemoryFlatTest {
  @GrpcClient("self")
  Channel channel;

  @Inject ModelSvcRuntime runtime;

  @Test
  void thousandMixedRequests_leaveMemoryFlat() throws Exception {
    ServedModel policy = runtime.registry().get("policy");
    run(200, 1); // warm up JIT, allocator pools and gRPC buffers
    fillCacheViews(policy);
    int arraysBefore = policy.liveArrays();
    long rssBefore = rssKb();
    AtomicInteger failures = run(1000, 2);
    fillCacheViews(policy);
    System.gc();
    int arraysAfter = policy.liveArrays();
    long rssGrowthMb = (rssKb() - rssBefore) / 1024;
    System.out.printf(
        "memory: NDArrays %d -> %d, RSS growth %d MiB, %d expected failures%n",
        arraysBefore, arraysAfter, rssGrowthMb, failures.get());
    assertEquals(arraysBefore, arraysAfter, "NDArrays leaked");
    assertTrue(rssGrowthMb < 200, "RSS grew by " + rssGrowthMb + " MiB");
  }

  /**
   * Puts model-core's kept views of the KV cache in one known state: it keeps a view per length of
   * the slot range the last steps read (made on first use, dropped when the range changes, at most
   * n_positions + 1 per layer for keys and as many for values). Every slot busy (n = max-batch 8)
   * through every length (1-token prompt + 47 new = n_positions 48) leaves the full set for all
   * slots, so the counts compared see leaks, not which range ran last.
   */
  private void fillCacheViews(ServedModel policy) throws Exception {
    ModelServiceGrpc.newBlockingStub(channel)
        .generate(generate("policy", sampling(1f, 5, 47).setN(8).setIgnoreEos(true), ids(1)));
    waitIdle(policy);
  }

  private AtomicInteger run(int calls, long seed) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger failures = new AtomicInteger();
    Random r = new Random(seed);
    List<Future<?>> fs = new ArrayList<>();
    var stub = ModelServiceGrpc.newBlockingStub(channel);
    for (int i = 0; i < calls; i++) {
      int kind = r.nextInt(5);
      int[] prompt = {1 + r.nextInt(200), 1 + r.nextInt(200), 1 + r.nextInt(200)};
      int n = 1 + r.nextInt(3);
      int maxNew = 2 + r.nextInt(7);
      fs.add(
          pool.submit(
              () -> {
                try {
                  switch (kind) {
                    case 0, 1 ->
                        stub.generate(
                            generate("policy", sampling(1f, kind, maxNew).setN(n), ids(prompt)));
                    case 2 ->
                        stub.generateStream(
                                GenerateStreamRequest.newBuilder()
                                    .setModel("policy")
                                    .addPrompts(ids(prompt))
                                    .setSampling(sampling(0.7f, 3, maxNew).setTopK(20))
                                    .build())
                            .forEachRemaining(m -> {});
                    case 3 ->
                        stub.scoreSequences(
                            ScoreSequencesRequest.newBuilder()
                                .setModel("policy")
                                .setReturnEntropies(true)
                                .addSequences(
                                    SequenceToScore.newBuilder()
                                        .setPrompt(ids(prompt))
                                        .setResponse(ids(5, 6, 7)))
                                .build());
                    default ->
                        stub.withDeadlineAfter(2, TimeUnit.MILLISECONDS)
                            .generate(generate("policy", sampling(1f, 9, 40).setN(4), ids(prompt)));
                  }
                } catch (StatusRuntimeException e) {
                  failures.incrementAndGet();
                }
              }));
    }
    for (Future<?> f : fs) {
      f.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();
    return failures;
  }

  private static void waitIdle(ServedModel m) throws InterruptedException {
    for (int i = 0; i < 2000 && m.batcher().activeSequences() + m.batcher().queueDepth() > 0; i++) {
      Thread.sleep(5);
    }
    Thread.sleep(50);
  }

  private static long rssKb() throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return 0;
  }
}
