package dev.rlhfmesh.modelsvc.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batcher's admission rule on a replica with 2 KV-cache slots and a queue of 2: a job is taken
 * when its sequences fit free slots plus queue places, refused RESOURCE_EXHAUSTED when they do not
 * fit now, and INVALID_ARGUMENT naming n when they could never fit. The decode loop is held with
 * {@link ContinuousBatcher#pause()} so "idle" and "full" are exact states, not timings.
 */
class AdmissionRuleTest {
  NDManager root;
  ContinuousBatcher batcher;

  @BeforeEach
  void start() {
    root = NDManager.newBaseManager();
    batcher =
        new ContinuousBatcher(
            "m",
            root,
            new Weights(Gpt.init(root, ContinuousBatcherTest.TINY, 1), 0, "seeded"),
            2,
            2);
  }

  @AfterEach
  void stop() {
    batcher.close();
    root.close();
  }

  /** A job of {@code prompts} × {@code n} sequences of 3 new tokens; completes when all ended. */
  static GenerationJob job(int prompts, int n, CompletableFuture<Void> done) {
    List<int[]> ps = new ArrayList<>(Collections.nCopies(prompts, new int[] {2, 3}));
    SamplingSpec spec =
        new SamplingSpec(new SamplingParams(1.0, 0, 1, 5L), 3, n, Set.of(), List.of(), true, true);
    return new GenerationJob(
        ps,
        spec,
        () -> false,
        new GenerationListener() {
          @Override
          public void onStep(
              int p, int s, int token, float lp, FinishReason f, String text, long v) {}

          @Override
          public void onComplete() {
            done.complete(null);
          }

          @Override
          public void onError(Throwable failure) {
            done.completeExceptionally(failure);
          }
        });
  }

  private void submit(GenerationJob job) {
    batcher.submit(job, -1, ContinuousBatcherTest.TINY.nPositions(), null);
  }

  @Test
  void idleReplica_takesAJobLargerThanItsQueue() throws Exception {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(job(2, 2, done)); // 4 sequences: 2 slots + 2 queue places, queue alone holds 2
    done.get(30, TimeUnit.SECONDS);
    assertEquals(0, batcher.queueDepth() + batcher.activeSequences());
  }

  @Test
  void fullReplica_refusesWithResourceExhausted_andAdmitsAgainOnceDrained() throws Exception {
    CompletableFuture<Void> first = new CompletableFuture<>();
    CompletableFuture<Void> fits = new CompletableFuture<>();
    try (AutoCloseable held = batcher.pause()) {
      submit(job(1, 3, first)); // 3 of 4 places
      ServiceException full =
          assertThrows(ServiceException.class, () -> submit(job(1, 2, new CompletableFuture<>())));
      assertEquals(ErrorKind.RESOURCE_EXHAUSTED, full.kind());
      assertTrue(full.getMessage().contains("3 sequences decoding or waiting"), full.getMessage());
      submit(job(1, 1, fits)); // the 4th place
    }
    first.get(30, TimeUnit.SECONDS);
    fits.get(30, TimeUnit.SECONDS);
    // every place came back when its sequence ended: the whole capacity is free again
    CompletableFuture<Void> again = new CompletableFuture<>();
    submit(job(2, 2, again));
    again.get(30, TimeUnit.SECONDS);
  }

  @Test
  void jobLargerThanSlotsPlusQueue_isInvalidArgumentNamingN() {
    ServiceException never =
        assertThrows(ServiceException.class, () -> submit(job(1, 5, new CompletableFuture<>())));
    assertEquals(ErrorKind.INVALID_ARGUMENT, never.kind());
    assertTrue(never.getMessage().startsWith("field 'sampling.n' = 5"), never.getMessage());
    assertTrue(never.getMessage().contains("max-batch 2 + queue-capacity 2 = 4"));
    assertEquals(0, batcher.queueDepth(), "nothing half-queued");
  }
}
