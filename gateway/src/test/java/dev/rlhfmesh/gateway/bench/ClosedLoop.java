package dev.rlhfmesh.gateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A closed-loop load: {@code clients} clients, each sending its next request as soon as the last
 * one answered, {@code perClient} requests each; returns every call's latency in ms. Two ways of
 * being a client: a thread blocked in each call ({@link #threads}), or a chain of asynchronous
 * calls where each completion starts the next ({@link #chains}), which cost the client about half
 * the CPU per call in the gateway benchmark (no thread to park and wake); where the client shares a
 * CPU with what it measures, less of its work then competes with the measured service.
 */
final class ClosedLoop {
  /**
   * A call made asynchronously; it reports its end to {@code done}: null, or the failure. {@code
   * index} numbers the calls of a run (client × perClient + call), the same for every route.
   */
  @FunctionalInterface
  interface AsyncCall {
    void start(int index, Consumer<Throwable> done);
  }

  private static final long TIMEOUT_MINUTES = 10;

  private ClosedLoop() {}

  /** One thread per client, each blocked in {@code call} (given the call's index) in turn. */
  static double[] threads(IntConsumer call, int clients, int perClient) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<double[]>> parts = new ArrayList<>();
      for (int t = 0; t < clients; t++) {
        int first = t * perClient;
        parts.add(
            pool.submit(
                () -> {
                  double[] lat = new double[perClient];
                  for (int i = 0; i < perClient; i++) {
                    long t0 = System.nanoTime();
                    call.accept(first + i);
                    lat[i] = (System.nanoTime() - t0) / 1e6;
                  }
                  return lat;
                }));
      }
      double[] all = new double[clients * perClient];
      for (int t = 0; t < clients; t++) {
        System.arraycopy(parts.get(t).get(), 0, all, t * perClient, perClient);
      }
      return all;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  /**
   * {@code clients} chains of asynchronous calls, each call started from the previous one's
   * completion (on whatever thread completed it); fails with the first call's failure.
   */
  static double[] chains(AsyncCall call, int clients, int perClient) throws Exception {
    double[] all = new double[clients * perClient];
    CountDownLatch finished = new CountDownLatch(clients);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    for (int c = 0; c < clients; c++) {
      new Chain(call, all, c * perClient, perClient, finished, failure).next();
    }
    if (!finished.await(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
      throw new IllegalStateException("calls still running after " + TIMEOUT_MINUTES + " min");
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a call failed: " + failure.get(), failure.get());
    }
    return all;
  }

  /** One client: calls {@code count} times in a row, writing latencies from {@code from}. */
  private static final class Chain {
    private final AsyncCall call;
    private final double[] out;
    private final int end;
    private final CountDownLatch finished;
    private final AtomicReference<Throwable> failure;
    private int at;
    private long t0;

    Chain(
        AsyncCall call,
        double[] out,
        int from,
        int count,
        CountDownLatch finished,
        AtomicReference<Throwable> failure) {
      this.call = call;
      this.out = out;
      this.at = from;
      this.end = from + count;
      this.finished = finished;
      this.failure = failure;
    }

    void next() {
      t0 = System.nanoTime();
      call.start(at, this::done);
    }

    private void done(Throwable error) {
      if (error != null) {
        failure.compareAndSet(null, error);
        finished.countDown();
        return;
      }
      out[at++] = (System.nanoTime() - t0) / 1e6;
      if (at < end) {
        next();
      } else {
        finished.countDown();
      }
    }
  }
}
