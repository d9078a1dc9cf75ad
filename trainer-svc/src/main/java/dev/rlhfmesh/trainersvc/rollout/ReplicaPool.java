package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * Client-side balancing over every policy replica: {@link #generateAll} keeps {@code concurrency}
 * Generate calls in flight on each replica, pulling requests from one shared queue. A replica that
 * fails a call (or answers with weights older than required) is benched for the rest of the call
 * and the request goes back in the queue for another replica; a request's result is taken once, so
 * no sample is lost or counted twice. Workers run in the caller's {@link io.grpc.Context}: when it
 * is cancelled (a {@link CallScope} of a cancelled job) the calls in flight end at once and nothing
 * is retried.
 */
public final class ReplicaPool implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ReplicaPool.class.getName());
  private static final Set<Status.Code> RETRYABLE =
      Set.of(
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.CANCELLED,
          Status.Code.ABORTED,
          Status.Code.INTERNAL,
          Status.Code.UNKNOWN,
          Status.Code.RESOURCE_EXHAUSTED);

  private final List<ModelReplica> replicas;
  private final int concurrency;
  private final Duration timeout;
  private final int maxAttempts;
  private final ExecutorService workers;

  /** Replicas whose weights push failed: no rollouts until a later push succeeds. */
  private final Set<String> stale = ConcurrentHashMap.newKeySet();

  private final AtomicInteger retries = new AtomicInteger();
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  public ReplicaPool(
      List<ModelReplica> replicas, int concurrency, Duration timeout, int maxAttempts) {
    if (replicas.isEmpty()) {
      throw new IllegalArgumentException("no policy replica");
    }
    this.replicas = List.copyOf(replicas);
    this.concurrency = Math.max(1, concurrency);
    this.timeout = timeout;
    this.maxAttempts = Math.max(1, maxAttempts);
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "rollout-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public List<ModelReplica> replicas() {
    return replicas;
  }

  public void markStale(String replica, boolean isStale) {
    if (isStale) {
      stale.add(replica);
    } else {
      stale.remove(replica);
    }
  }

  /** Requests re-sent after a replica failure, since this pool was made. */
  public int retries() {
    return retries.get();
  }

  /** Generate calls answered, by replica. */
  public Map<String, Integer> servedByReplica() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    served.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /**
   * Runs every request once, spread over the replicas; each answer's completions must come from
   * weight version {@code minVersion} or newer. Results are in request order.
   */
  public List<GenerateResponse> generateAll(
      List<GenerateRequest> requests, long minVersion, BooleanSupplier cancelled)
      throws InterruptedException {
    Context caller = Context.current();
    BooleanSupplier stop = () -> cancelled.getAsBoolean() || caller.isCancelled();
    int n = requests.size();
    GenerateResponse[] results = new GenerateResponse[n];
    int[] attempts = new int[n];
    LinkedBlockingQueue<Integer> pending = new LinkedBlockingQueue<>();
    for (int i = 0; i < n; i++) {
      pending.add(i);
    }
    AtomicInteger done = new AtomicInteger();
    AtomicReference<RuntimeException> fatal = new AtomicReference<>();
    Object signal = new Object();
    for (int round = 0; done.get() < n; round++) {
      if (round > maxAttempts) {
        throw ServiceException.unavailable(
            "no policy replica answered after " + maxAttempts + " rounds: " + replicas, null);
      }
      if (stop.getAsBoolean()) {
        throw ServiceException.cancelled("rollout cancelled");
      }
      if (round > 0) {
        Thread.sleep(Math.min(2000, 100L << Math.min(round, 4)));
      }
      Set<String> benched = ConcurrentHashMap.newKeySet();
      List<Future<?>> running = new ArrayList<>();
      for (ModelReplica r : replicas) {
        if (stale.contains(r.name())) {
          continue;
        }
        for (int c = 0; c < concurrency; c++) {
          running.add(
              workers.submit(
                  caller.wrap(
                      () -> {
                        while (fatal.get() == null
                            && !benched.contains(r.name())
                            && !stop.getAsBoolean()) {
                          Integer idx;
                          try {
                            idx = pending.poll(20, TimeUnit.MILLISECONDS);
                          } catch (InterruptedException e) {
                            return;
                          }
                          if (idx == null) {
                            if (done.get() >= n) {
                              return;
                            }
                            continue;
                          }
                          try {
                            GenerateResponse resp = r.generate(requests.get(idx), timeout);
                            check(requests.get(idx), resp, minVersion, r);
                            synchronized (results) {
                              if (results[idx] == null) {
                                results[idx] = resp;
                                done.incrementAndGet();
                              }
                            }
                            served
                                .computeIfAbsent(r.name(), k -> new AtomicInteger())
                                .incrementAndGet();
                          } catch (StatusRuntimeException | StaleReplicaException e) {
                            if (stop.getAsBoolean()) {
                              return; // the call was aborted by the cancellation: no retry, no
                              // bench
                            }
                            boolean retry =
                                e instanceof StaleReplicaException
                                    || RETRYABLE.contains(
                                        ((StatusRuntimeException) e).getStatus().getCode());
                            synchronized (results) {
                              attempts[idx]++;
                              if (!retry) {
                                fatal.compareAndSet(null, (RuntimeException) e);
                              } else if (attempts[idx] >= maxAttempts) {
                                fatal.compareAndSet(
                                    null,
                                    ServiceException.unavailable(
                                        "Generate request "
                                            + idx
                                            + " failed "
                                            + attempts[idx]
                                            + " times, last on "
                                            + r,
                                        e));
                              } else {
                                retries.incrementAndGet();
                                pending.add(idx);
                              }
                            }
                            LOG.warning(
                                "replica "
                                    + r
                                    + " failed a Generate call ("
                                    + e.getMessage()
                                    + "); benched, request requeued");
                            benched.add(r.name());
                          } finally {
                            synchronized (signal) {
                              signal.notifyAll();
                            }
                          }
                        }
                      })));
        }
      }
      while (done.get() < n && fatal.get() == null && !stop.getAsBoolean()) {
        if (running.stream().allMatch(Future::isDone)) {
          break; // every replica benched: next round
        }
        synchronized (signal) {
          signal.wait(50);
        }
      }
      if (fatal.get() != null) {
        waitFor(running);
        throw fatal.get();
      }
      if (stop.getAsBoolean()) {
        waitFor(running);
        throw ServiceException.cancelled("rollout cancelled");
      }
      waitFor(running);
    }
    return List.of(results);
  }

  /** Teacher-forced scoring on any replica, retried on the next one when a replica fails. */
  public ScoreSequencesResponse scoreSequences(ScoreSequencesRequest request, int startAt) {
    StatusRuntimeException last = null;
    for (int attempt = 0; attempt < Math.max(maxAttempts, replicas.size()); attempt++) {
      ModelReplica r = replicas.get(Math.floorMod(startAt + attempt, replicas.size()));
      try {
        return r.scoreSequences(request, timeout);
      } catch (StatusRuntimeException e) {
        if (!RETRYABLE.contains(e.getStatus().getCode()) || Context.current().isCancelled()) {
          throw e;
        }
        last = e;
        retries.incrementAndGet();
        LOG.warning(
            "replica " + r + " failed ScoreSequences (" + e.getMessage() + "); trying the next");
      }
    }
    throw ServiceException.unavailable("ScoreSequences failed on every replica", last);
  }

  private static void check(
      GenerateRequest req, GenerateResponse resp, long minVersion, ModelReplica r) {
    int n = Math.max(1, req.getSampling().getN());
    if (resp.getCompletionsCount() != req.getPromptsCount() * n) {
      throw new StaleReplicaException(
          r
              + " returned "
              + resp.getCompletionsCount()
              + " completions, expected "
              + req.getPromptsCount() * n);
    }
    for (Completion c : resp.getCompletionsList()) {
      if (c.getPolicyVersion() < minVersion) {
        throw new StaleReplicaException(
            r
                + " generated with weight version "
                + c.getPolicyVersion()
                + " < required "
                + minVersion);
      }
      if (req.getSampling().getReturnLogprobs() && c.getLogprobsCount() != c.getTokenIdsCount()) {
        throw new StaleReplicaException(r + " returned logprobs not matching its tokens");
      }
    }
  }

  private static void waitFor(List<Future<?>> running) throws InterruptedException {
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        LOG.warning("rollout worker ended with " + e.getCause());
      }
    }
  }

  @Override
  public void close() {
    workers.shutdownNow();
    replicas.forEach(ModelReplica::close);
  }

  /** A replica answered, but not with what was asked (old weights, wrong count). */
  static final class StaleReplicaException extends RuntimeException {
    StaleReplicaException(String message) {
      super(message);
    }
  }
}
