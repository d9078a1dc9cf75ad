package dev.rlhfmesh.rewardsvc.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The batcher's grouping is tested without timing: the first batch is held on a latch while more
 * requests queue, so what the next batch holds is determined by the queue alone.
 */
class DynamicBatcherTest {
  private final List<Integer> sizes = Collections.synchronizedList(new ArrayList<>());

  /** Doubles each item; the first batch waits until {@code gate} opens. */
  private Function<List<Integer>, List<Integer>> doubling(CountDownLatch gate) {
    return items -> {
      await(gate);
      return items.stream().map(i -> 2 * i).toList();
    };
  }

  @Test
  void submit_requestsQueuedDuringABatchShareTheNextOneAndGetTheirOwnResultsInOrder()
      throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    Function<List<Integer>, List<Integer>> f =
        items -> {
          started.countDown();
          await(gate);
          return items.stream().map(i -> 2 * i).toList();
        };
    try (DynamicBatcher<Integer, Integer> b =
        new DynamicBatcher<>("t", f, 32, 0, 100, sizes::add)) {
      CompletableFuture<List<Integer>> first = b.submit(List.of(1), () -> false);
      started.await(10, TimeUnit.SECONDS);
      List<CompletableFuture<List<Integer>>> later = new ArrayList<>();
      for (int r = 0; r < 5; r++) {
        later.add(b.submit(List.of(10 * r, 10 * r + 1, 10 * r + 2), () -> false));
      }
      gate.countDown();
      assertEquals(List.of(2), first.get(10, TimeUnit.SECONDS));
      for (int r = 0; r < 5; r++) {
        assertEquals(
            List.of(20 * r, 20 * r + 2, 20 * r + 4), later.get(r).get(10, TimeUnit.SECONDS));
      }
      assertEquals(List.of(1, 15), sizes);
    }
  }

  @Test
  void submit_splitsARequestLargerThanTheMaxBatchSize() throws Exception {
    CountDownLatch open = new CountDownLatch(0);
    try (DynamicBatcher<Integer, Integer> b =
        new DynamicBatcher<>("t", doubling(open), 4, 0, 100, sizes::add)) {
      List<Integer> in = List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
      List<Integer> out = b.submit(in, () -> false).get(10, TimeUnit.SECONDS);
      assertEquals(in.stream().map(i -> 2 * i).toList(), out);
      assertEquals(List.of(4, 4, 2), sizes);
    }
  }

  @Test
  void submit_aFailingBatchFailsEveryRequestInIt() throws Exception {
    Function<List<Integer>, List<Integer>> f =
        items -> {
          throw new IllegalStateException("boom");
        };
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", f, 8, 0, 100, sizes::add)) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> b.submit(List.of(1, 2), () -> false).get(10, TimeUnit.SECONDS));
      assertInstanceOf(IllegalStateException.class, e.getCause());
    }
  }

  @Test
  void submit_dropsItemsOfACallerThatWentAway() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    Function<List<Integer>, List<Integer>> f =
        items -> {
          seen.addAll(items);
          started.countDown();
          await(gate);
          return items;
        };
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", f, 8, 0, 100, sizes::add)) {
      CompletableFuture<List<Integer>> first = b.submit(List.of(1), () -> false);
      started.await(10, TimeUnit.SECONDS);
      CompletableFuture<List<Integer>> gone = b.submit(List.of(2, 3), () -> true);
      CompletableFuture<List<Integer>> kept = b.submit(List.of(4), () -> false);
      gate.countDown();
      assertEquals(List.of(4), kept.get(10, TimeUnit.SECONDS));
      assertEquals(List.of(1), first.get(10, TimeUnit.SECONDS));
      assertTrue(gone.isCompletedExceptionally());
      assertEquals(List.of(1, 4), seen);
    }
  }

  @Test
  void submit_failsWithResourceExhaustedWhenTheQueueIsFull() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    Function<List<Integer>, List<Integer>> f =
        items -> {
          started.countDown();
          await(gate);
          return items;
        };
    try (DynamicBatcher<Integer, Integer> b = new DynamicBatcher<>("t", f, 2, 0, 4, sizes::add)) {
      b.submit(List.of(1), () -> false);
      started.await(10, TimeUnit.SECONDS);
      b.submit(List.of(1, 2, 3), () -> false);
      ServiceException e =
          assertThrows(ServiceException.class, () -> b.submit(List.of(1, 2), () -> false));
      assertEquals(ErrorKind.RESOURCE_EXHAUSTED, e.kind());
      gate.countDown();
    }
  }

  private static void await(CountDownLatch gate) {
    try {
      if (!gate.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate never opened");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
