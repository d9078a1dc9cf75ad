package dev.rlhfmesh.rewardsvc.batching;

import dev.rlhfmesh.grpc.errors.ServiceException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * Gathers the items of concurrent requests into shared batches for one batch function (a forward
 * pass), so many small callers cost about what one big caller does.
 *
 * <p>Policy: one worker thread takes items in arrival order. Once an item is waiting, the worker
 * waits until {@code maxBatchSize} items are queued or {@code maxWait} has passed since the oldest
 * one arrived, whichever is first, then runs up to {@code maxBatchSize} items as one batch. While a
 * batch runs, new arrivals queue up, so under load batches fill without waiting at all. A request
 * larger than {@code maxBatchSize} is split over consecutive batches; each request's future
 * completes with its own results, in its own order, once all of its items are done.
 *
 * <p>Items of a request whose caller went away ({@code cancelled}) or that already failed are
 * dropped before they reach a batch. A failing batch fails every request that had items in it. At
 * most {@code maxQueued} items wait at once; beyond that {@link #submit} fails with
 * RESOURCE_EXHAUSTED.
 *
 * @param <I> item type (e.g. a token sequence)
 * @param <O> result type per item (e.g. a score)
 */
public final class DynamicBatcher<I, O> implements AutoCloseable {
  private final String name;
  private final Function<List<I>, List<O>> batchFunction;
  private final int maxBatchSize;
  private final long maxWaitNanos;
  private final int maxQueued;
  private final IntConsumer batchSizeObserver;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final ArrayDeque<Slot<I, O>> queue = new ArrayDeque<>();
  private final Thread worker;
  private boolean closed;

  /**
   * @param name for the worker thread and messages
   * @param batchFunction maps a batch of items to one result each, in order; runs on the worker
   * @param maxBatchSize most items per batch, >= 1
   * @param maxWaitMillis longest wait for more items after the oldest arrived, >= 0
   * @param maxQueued most items waiting at once, >= maxBatchSize
   * @param batchSizeObserver told the size of every batch that runs (metrics)
   */
  public DynamicBatcher(
      String name,
      Function<List<I>, List<O>> batchFunction,
      int maxBatchSize,
      long maxWaitMillis,
      int maxQueued,
      IntConsumer batchSizeObserver) {
    if (maxBatchSize < 1 || maxWaitMillis < 0 || maxQueued < maxBatchSize) {
      throw new IllegalArgumentException(
          "need maxBatchSize >= 1, maxWaitMillis >= 0, maxQueued >= maxBatchSize; got "
              + maxBatchSize
              + ", "
              + maxWaitMillis
              + ", "
              + maxQueued);
    }
    this.name = name;
    this.batchFunction = batchFunction;
    this.maxBatchSize = maxBatchSize;
    this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
    this.maxQueued = maxQueued;
    this.batchSizeObserver = batchSizeObserver;
    this.worker = new Thread(this::runLoop, "batcher-" + name);
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Queues a request's items.
   *
   * @param items at least one item
   * @param cancelled true once the caller no longer wants the results
   * @return completes with one result per item, in the order of {@code items}
   */
  public CompletableFuture<List<O>> submit(List<I> items, BooleanSupplier cancelled) {
    Request<O> request = new Request<>(items.size(), cancelled);
    if (items.isEmpty()) {
      request.future.complete(List.of());
      return request.future;
    }
    lock.lock();
    try {
      if (closed) {
        throw ServiceException.unavailable("batcher " + name + " is shut down", null);
      }
      if (queue.size() + items.size() > maxQueued) {
        throw ServiceException.resourceExhausted(
            name
                + ": "
                + queue.size()
                + " items already queued, "
                + items.size()
                + " more exceed the limit of "
                + maxQueued);
      }
      long now = System.nanoTime();
      for (int i = 0; i < items.size(); i++) {
        queue.addLast(new Slot<>(items.get(i), request, i, now));
      }
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    return request.future;
  }

  private void runLoop() {
    while (true) {
      List<Slot<I, O>> batch;
      try {
        batch = nextBatch();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      if (batch == null) {
        return;
      }
      if (!batch.isEmpty()) {
        run(batch);
      }
    }
  }

  /** Waits for a batch per the policy above; null once closed and drained. */
  private List<Slot<I, O>> nextBatch() throws InterruptedException {
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (closed) {
          return null;
        }
        arrived.await();
      }
      long due = queue.peekFirst().enqueuedNanos + maxWaitNanos;
      while (queue.size() < maxBatchSize && !closed) {
        long left = due - System.nanoTime();
        if (left <= 0) {
          break;
        }
        arrived.awaitNanos(left);
      }
      List<Slot<I, O>> batch = new ArrayList<>(Math.min(maxBatchSize, queue.size()));
      while (batch.size() < maxBatchSize && !queue.isEmpty()) {
        Slot<I, O> s = queue.pollFirst();
        if (s.owner.future.isDone()) {
          continue; // failed or cancelled earlier
        }
        if (s.owner.cancelled.getAsBoolean()) {
          s.owner.future.completeExceptionally(
              new CancellationException("caller went away before its items were scored"));
          continue;
        }
        batch.add(s);
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  private void run(List<Slot<I, O>> batch) {
    List<I> items = new ArrayList<>(batch.size());
    for (Slot<I, O> s : batch) {
      items.add(s.item);
    }
    List<O> out;
    try {
      out = batchFunction.apply(items);
      if (out.size() != items.size()) {
        throw new IllegalStateException(
            name + ": batch function returned " + out.size() + " results for " + items.size());
      }
    } catch (Throwable t) {
      for (Slot<I, O> s : batch) {
        s.owner.future.completeExceptionally(t);
      }
      return;
    } finally {
      batchSizeObserver.accept(items.size());
    }
    for (int i = 0; i < batch.size(); i++) {
      Slot<I, O> s = batch.get(i);
      s.owner.deliver(s.index, out.get(i));
    }
  }

  /** Stops taking requests, lets queued items finish, and waits for the worker. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      arrived.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      worker.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Slot<I, O>(I item, Request<O> owner, int index, long enqueuedNanos) {}

  /** One caller's items: results fill in as batches finish; only the worker writes them. */
  private static final class Request<O> {
    final CompletableFuture<List<O>> future = new CompletableFuture<>();
    final BooleanSupplier cancelled;
    final Object[] results;
    int remaining;

    Request(int size, BooleanSupplier cancelled) {
      this.results = new Object[size];
      this.remaining = size;
      this.cancelled = cancelled;
    }

    @SuppressWarnings("unchecked")
    void deliver(int index, O value) {
      results[index] = value;
      if (--remaining == 0) {
        future.complete((List<O>) Arrays.asList(results));
      }
    }
  }
}
