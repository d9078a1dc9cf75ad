package dev.rlhfmesh.modelsvc;

import static dev.rlhfmesh.modelsvc.Calls.generate;
import static dev.rlhfmesh.modelsvc.Calls.ids;
import static dev.rlhfmesh.modelsvc.Calls.sampling;
import static dev.rlhfmesh.modelsvc.Calls.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.modelsvc.serving.ContinuousBatcher;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Streaming order, cancellation and deadlines freeing capacity, and a bounded queue. */
@QuarkusTest
class StreamingAndCapacityTest {
  @GrpcClient("self")
  Channel channel;

  @Inject ModelSvcRuntime runtime;

  private ContinuousBatcher batcher() {
    return runtime.registry().get("policy").batcher();
  }

  @Test
  void stream_deliversEachSampleInOrderAndMatchesUnary() {
    var s = sampling(1.0f, 5, 15).setN(2);
    GenerateResponse unary =
        ModelServiceGrpc.newBlockingStub(channel)
            .generate(generate("policy", s, ids(7, 8), ids(9)));
    Iterator<GenerateStreamResponse> it =
        ModelServiceGrpc.newBlockingStub(channel)
            .generateStream(
                GenerateStreamRequest.newBuilder()
                    .setModel("policy")
                    .addPrompts(ids(7, 8))
                    .addPrompts(ids(9))
                    .setSampling(s)
                    .build());
    List<List<Integer>> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(new ArrayList<>());
    }
    boolean[] finished = new boolean[4];
    while (it.hasNext()) {
      GenerateStreamResponse m = it.next();
      int k = m.getPromptIndex() * 2 + m.getSampleIndex();
      assertTrue(!finished[k], "message after the last one of sample " + k);
      got.get(k).addAll(m.getTokenIdsList());
      assertEquals(m.getTokenIdsCount(), m.getLogprobsCount());
      if (m.getFinishReason() != FinishReason.FINISH_REASON_UNSPECIFIED) {
        finished[k] = true;
        assertEquals(FinishReason.FINISH_REASON_LENGTH, m.getFinishReason());
      }
    }
    for (int k = 0; k < 4; k++) {
      assertTrue(finished[k]);
      assertArrayEquals(
          tokens(unary.getCompletions(k)),
          got.get(k).stream().mapToInt(Integer::intValue).toArray());
    }
  }

  @Test
  void cancelledStreams_freeTheirSlotsAndQueueAtTheNextStep() throws Exception {
    long before = batcher().tokensGenerated();
    long cancelledBefore = batcher().cancelledSequences();
    int streams = 6;
    CountDownLatch firstMessages = new CountDownLatch(1);
    List<ClientCallStreamObserver<GenerateStreamRequest>> calls = new ArrayList<>();
    List<CompletableFuture<Status>> ends = new ArrayList<>();
    for (int i = 0; i < streams; i++) {
      CompletableFuture<Status> end = new CompletableFuture<>();
      ends.add(end);
      AtomicInteger seen = new AtomicInteger();
      ModelServiceGrpc.newStub(channel)
          .generateStream(
              GenerateStreamRequest.newBuilder()
                  .setModel("policy")
                  .addPrompts(ids(1, 2, 3))
                  .setSampling(sampling(1f, i, 44).setN(8))
                  .build(),
              new ClientResponseObserver<GenerateStreamRequest, GenerateStreamResponse>() {
                @Override
                public void beforeStart(ClientCallStreamObserver<GenerateStreamRequest> call) {
                  calls.add(call);
                }

                @Override
                public void onNext(GenerateStreamResponse r) {
                  if (seen.getAndIncrement() == 0) {
                    firstMessages.countDown();
                  }
                }

                @Override
                public void onError(Throwable t) {
                  end.complete(Status.fromThrowable(t));
                }

                @Override
                public void onCompleted() {
                  end.complete(Status.OK);
                }
              });
    }
    assertTrue(firstMessages.await(20, TimeUnit.SECONDS));
    calls.forEach(c -> c.cancel("test cancels", null));
    int clientCancelled = 0;
    for (CompletableFuture<Status> e : ends) {
      if (e.get(10, TimeUnit.SECONDS).getCode() == Status.Code.CANCELLED) {
        clientCancelled++;
      }
    }
    assertTrue(clientCancelled >= 3, "later streams were still queued: " + clientCancelled);
    waitUntilIdle();
    long generated = batcher().tokensGenerated() - before;
    assertTrue(generated < streams * 8 * 44, "cancelled work still ran: " + generated + " tokens");
    assertTrue(batcher().cancelledSequences() - cancelledBefore >= 8, "server dropped them");
    // capacity is back: a new call gets every slot
    GenerateResponse r =
        ModelServiceGrpc.newBlockingStub(channel)
            .generate(generate("policy", sampling(1f, 1, 5).setN(8), ids(4)));
    assertEquals(8, r.getCompletionsCount());
  }

  @Test
  void passedDeadline_isDeadlineExceededAndFreesCapacity() throws Exception {
    // a first call warms the path (channel, handlers, JIT): cold, the call below could spend its
    // whole 300 ms deadline before reaching the queue
    ModelServiceGrpc.newBlockingStub(channel)
        .generate(generate("policy", sampling(1f, 1, 1), ids(4)));
    long cancelledBefore = batcher().cancelledSequences();
    long tokensBefore = batcher().tokensGenerated();
    StatusRuntimeException e;
    try (AutoCloseable paused = batcher().pause()) {
      // the call queues while the loop is held, and its deadline passes there
      e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  ModelServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .generate(generate("policy", sampling(1f, 1, 44).setN(8), ids(4))));
      assertEquals(8, batcher().queueDepth(), "the call reached the queue");
      // The server's deadline started when the call arrived, a little after the client's, and
      // its timer cancels the call on its own thread: give it time to fire while the loop is
      // still held, or the loop may run steps for a call the server has not yet seen cancelled.
      Thread.sleep(200);
    }
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    waitUntilIdle();
    assertEquals(8, batcher().cancelledSequences() - cancelledBefore, "dropped at the next step");
    // the server learns of the cancellation asynchronously: at most the one step already under
    // way when it arrives may still produce a token per sample
    assertTrue(
        batcher().tokensGenerated() - tokensBefore <= 8,
        "at most one step ran for it: " + (batcher().tokensGenerated() - tokensBefore));
  }

  @Test
  void fullQueue_isResourceExhausted() throws Exception {
    // one request larger than slots + queue (8 + 64 in %test) can never fit: the caller's error
    StatusRuntimeException tooBig =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ModelServiceGrpc.newBlockingStub(channel)
                    .generate(generate("policy", sampling(1f, 1, 4).setN(37), ids(1), ids(2))));
    assertEquals(Status.Code.INVALID_ARGUMENT, tooBig.getStatus().getCode());
    assertTrue(
        tooBig.getStatus().getDescription().startsWith("field 'sampling.n' = 37"),
        tooBig.getStatus().getDescription());
    // larger than the queue alone but within slots + queue: served on the idle replica
    assertEquals(
        66,
        ModelServiceGrpc.newBlockingStub(channel)
            .generate(generate("policy", sampling(1f, 1, 4).setN(33), ids(1), ids(2)))
            .getCompletionsCount());
    // a burst: 20 calls x 16 samples x 40 tokens arrive faster than 8 slots drain them
    List<CompletableFuture<Status.Code>> results = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      CompletableFuture<Status.Code> f = new CompletableFuture<>();
      results.add(f);
      ModelServiceGrpc.newStub(channel)
          .generate(
              generate("policy", sampling(1f, i, 40).setN(16), ids(3)),
              new io.grpc.stub.StreamObserver<>() {
                @Override
                public void onNext(GenerateResponse r) {}

                @Override
                public void onError(Throwable t) {
                  f.complete(Status.fromThrowable(t).getCode());
                }

                @Override
                public void onCompleted() {
                  f.complete(Status.Code.OK);
                }
              });
    }
    int ok = 0;
    int exhausted = 0;
    for (CompletableFuture<Status.Code> f : results) {
      Status.Code c = f.get(60, TimeUnit.SECONDS);
      if (c == Status.Code.OK) {
        ok++;
      } else {
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, c);
        exhausted++;
      }
    }
    assertTrue(ok >= 4, "the queue admits what fits: " + ok);
    assertTrue(exhausted >= 1, "the burst overflows the queue");
    waitUntilIdle();
  }

  private void waitUntilIdle() throws InterruptedException {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (batcher().activeSequences() + batcher().queueDepth() > 0) {
      assertTrue(System.nanoTime() < until, "sequences still held after cancellation");
      Thread.sleep(5);
    }
  }
}
