package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.KvCache;
import dev.rlhfmesh.model.gpt.NoGrad;
import dev.rlhfmesh.model.sampling.Sampler;
import dev.rlhfmesh.model.sampling.SoftmaxRows;
import dev.rlhfmesh.model.sampling.TokenChoice;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * Continuous batching for one model: a single decode thread runs a loop over every active sequence.
 * Between two steps it runs queued tasks (a weight swap), drops cancelled sequences (freeing their
 * KV-cache slots), and admits waiting sequences into free slots after a batched prefill; after each
 * step finished sequences leave at once. Admission counts slots and queue together: a job is taken
 * when every sequence it holds finds a free slot or a queue place ({@code held + n <= maxBatch +
 * queueCapacity}, so an idle replica serves a job larger than its queue); otherwise it is
 * RESOURCE_EXHAUSTED, and a job that could not fit even on an idle replica is INVALID_ARGUMENT.
 *
 * <p>Each sequence is pinned to the {@link Weights} that were current when it was admitted, so a
 * swap never mixes versions inside one sample; during a swap the old and new weights decode side by
 * side over the same slot cache until the old sequences finish.
 */
public final class ContinuousBatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ContinuousBatcher.class);

  private final String name;
  private final NDManager manager;
  private final KvCache cache;
  private final int maxBatch;
  private final int queueCapacity;
  private final int vocab;

  /** A step's logits and their softmax numerators, reused step after step (decode thread only). */
  private final float[] logits;

  private final SoftmaxRows soft;
  private final ConcurrentLinkedDeque<Sequence> waiting = new ConcurrentLinkedDeque<>();
  private final AtomicInteger waitingCount = new AtomicInteger();
  private final AtomicInteger activeCount = new AtomicInteger();

  /**
   * Sequences submitted and not yet ended (waiting + active). Changed only under the {@code
   * waitingCount} lock on submit and by {@link #end} — admission into a slot leaves it unchanged,
   * so the admission check never sees a sequence in flight between the queue and a slot.
   */
  private final AtomicInteger held = new AtomicInteger();

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final List<Sequence> active = new ArrayList<>();
  private final LongAdder tokensGenerated = new LongAdder();
  private final LongAdder steps = new LongAdder();
  private final LongAdder cancelled = new LongAdder();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wake = lock.newCondition();
  private final Thread thread;
  private volatile Weights current;
  private volatile boolean closing;

  /**
   * @param parent manager owning the cache and per-step arrays
   * @param initial weights to serve first (taken over: retired when replaced or closed)
   * @param maxBatch sequences decoded together
   * @param queueCapacity sequences allowed to wait
   */
  public ContinuousBatcher(
      String name, NDManager parent, Weights initial, int maxBatch, int queueCapacity) {
    GptConfig config = initial.gpt().config();
    this.name = name;
    this.manager = parent.newSubManager();
    this.cache = new KvCache(manager, config, maxBatch, config.nPositions());
    this.maxBatch = maxBatch;
    this.queueCapacity = queueCapacity;
    this.vocab = config.vocabSize();
    this.logits = new float[maxBatch * vocab];
    this.soft = new SoftmaxRows(maxBatch, vocab);
    this.current = initial;
    this.thread = new Thread(this::loop, "decode-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues every sequence of a job, or none when the queue would overflow. */
  public void submit(GenerationJob job, int eosId, int maxTotal, TextDecoder decoder) {
    int n = job.sequenceCount();
    List<Sequence> seqs = new ArrayList<>(n);
    SamplingSpec spec = job.spec();
    SplittableRandom[] rngs = Sampler.rngsFor(spec.params(), job.prompts(), spec.n());
    for (int p = 0; p < job.prompts().size(); p++) {
      for (int s = 0; s < spec.n(); s++) {
        StopMatcher stop =
            new StopMatcher(
                spec.stopTokenIds(),
                spec.stopStrings(),
                spec.ignoreEos() ? -1 : eosId,
                spec.maxNewTokens(),
                maxTotal,
                decoder);
        seqs.add(new Sequence(job, p, s, job.prompts().get(p), rngs[p * spec.n() + s], stop));
      }
    }
    synchronized (waitingCount) {
      if (closing) {
        throw ServiceException.unavailable("model '" + name + "' is shutting down", null);
      }
      admissionCheck(n, spec.n(), held.get());
      held.addAndGet(n);
      waitingCount.addAndGet(n);
      waiting.addAll(seqs);
    }
    signal();
  }

  /**
   * Throws unless {@code n} more sequences fit beside the {@code heldNow} already waiting or
   * decoding: each needs a KV-cache slot or a queue place. Never fitting is the caller's error.
   */
  private void admissionCheck(int n, int samplesPerPrompt, int heldNow) {
    int capacity = maxBatch + queueCapacity;
    if (n > capacity) {
      throw ServiceException.invalidArgument(
          "sampling.n",
          samplesPerPrompt,
          "prompts x n = "
              + n
              + " sequences can never fit model '"
              + name
              + "': max-batch "
              + maxBatch
              + " + queue-capacity "
              + queueCapacity
              + " = "
              + capacity);
    }
    if (heldNow + n > capacity) {
      throw ServiceException.resourceExhausted(
          "model '"
              + name
              + "' is full: "
              + heldNow
              + " sequences decoding or waiting, "
              + n
              + " more requested, capacity "
              + capacity
              + " (max-batch "
              + maxBatch
              + " + queue-capacity "
              + queueCapacity
              + ")");
    }
  }

  /** Makes {@code next} the weights for newly admitted sequences, between two steps. */
  public CompletableFuture<Void> swap(Weights next) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Runnable task =
        () -> {
          Weights old = current;
          current = next;
          old.retire();
          done.complete(null);
        };
    if (!thread.isAlive()) {
      task.run();
    } else {
      tasks.add(task);
      signal();
    }
    return done;
  }

  /**
   * Holds the decode loop between two steps until the returned handle is closed (maintenance; tests
   * use it to make "a deadline passes while the call waits" deterministic). Submissions keep
   * queueing meanwhile.
   */
  public AutoCloseable pause() throws InterruptedException {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    tasks.add(
        () -> {
          held.countDown();
          try {
            go.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    signal();
    held.await();
    return go::countDown;
  }

  /** The weights new sequences get. */
  public Weights current() {
    return current;
  }

  /** A hold on the current weights (release it when done). */
  public Weights acquireCurrent() {
    while (true) {
      Weights w = current;
      if (w.acquire()) {
        return w;
      }
      Thread.onSpinWait(); // a swap closed it just now; the next read sees the new one
    }
  }

  /** Sequences waiting for a slot. */
  public int queueDepth() {
    return waitingCount.get();
  }

  /** Sequences holding a slot. */
  public int activeSequences() {
    return activeCount.get();
  }

  /** Tokens generated since start. */
  public long tokensGenerated() {
    return tokensGenerated.sum();
  }

  /** Sequences ended by cancellation or a passed deadline since start. */
  public long cancelledSequences() {
    return cancelled.sum();
  }

  /** Decode steps since start. */
  public long steps() {
    return steps.sum();
  }

  private void signal() {
    lock.lock();
    try {
      wake.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    NoGrad.enter(); // this thread only runs inference: autograd stays off for its lifetime
    while (!closing) {
      try {
        runTasks();
        reapCancelled();
        List<Sequence> running = List.copyOf(active);
        List<Sequence> joined = admit();
        if (active.isEmpty()) {
          idle();
          continue;
        }
        step(running, joined);
      } catch (RuntimeException | Error e) {
        LOG.errorf(e, "decode loop of model %s failed a step; failing its active requests", name);
        for (Sequence s : List.copyOf(active)) {
          s.job.fail(e);
          end(s);
        }
      }
    }
    runTasks();
    for (Sequence s : List.copyOf(active)) {
      finish(s, FinishReason.CANCELLED, -1, 0, "");
    }
    Sequence s;
    while ((s = waiting.poll()) != null) {
      waitingCount.decrementAndGet();
      finish(s, FinishReason.CANCELLED, -1, 0, "");
    }
  }

  private void idle() {
    lock.lock();
    try {
      if (waiting.isEmpty() && tasks.isEmpty() && !closing) {
        wake.await(50, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closing = true;
    } finally {
      lock.unlock();
    }
  }

  private void runTasks() {
    Runnable t;
    while ((t = tasks.poll()) != null) {
      t.run();
    }
  }

  private void reapCancelled() {
    for (Sequence s : List.copyOf(active)) {
      if (s.job.isCancelled()) {
        finish(s, FinishReason.CANCELLED, -1, 0, "");
      }
    }
    waiting.removeIf(
        s -> {
          if (s.job.isCancelled()) {
            waitingCount.decrementAndGet();
            finish(s, FinishReason.CANCELLED, -1, 0, "");
            return true;
          }
          return false;
        });
  }

  /** Moves waiting sequences into free slots; returns them (their prompts still to prefill). */
  private List<Sequence> admit() {
    List<Sequence> joined = new ArrayList<>();
    while (cache.freeSlots() > 0 && !waiting.isEmpty()) {
      Sequence s = waiting.poll();
      waitingCount.decrementAndGet();
      s.weights = acquireCurrent();
      s.version = s.weights.version();
      s.slot = cache.allocate();
      joined.add(s);
      active.add(s);
      activeCount.incrementAndGet();
    }
    return joined;
  }

  /**
   * One step: every running sequence appends its last token and every newly joined one its prompt,
   * in one packed pass (model-core's {@code Gpt.nextLogitsFlat}): the projections run once over all
   * new tokens, attention per group, so a joining prompt costs about what its tokens add to the
   * batch's matmuls. (Before, prompts were padded together with the decode rows — that sent every
   * row down the general path and halved throughput at 16 clients — and then had a pass of their
   * own, about two one-row steps per joining prompt; now about 1.4.)
   */
  private void step(List<Sequence> running, List<Sequence> joined) {
    List<Sequence> batch = new ArrayList<>(running.size() + joined.size());
    int[][] tokens = new int[running.size() + joined.size()][];
    for (Sequence s : running) {
      tokens[batch.size()] = new int[] {s.lastToken()};
      batch.add(s);
    }
    for (Sequence s : joined) {
      tokens[batch.size()] = s.prompt;
      batch.add(s);
    }
    if (!batch.isEmpty()) {
      forward(batch, tokens);
    }
    steps.increment();
  }

  /** Appends tokens to the sequences' slots, one forward pass per weight version, then samples. */
  private void forward(List<Sequence> batch, int[][] tokens) {
    Map<Weights, List<Integer>> groups = new IdentityHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      groups.computeIfAbsent(batch.get(i).weights, w -> new ArrayList<>()).add(i);
    }
    for (Map.Entry<Weights, List<Integer>> g : groups.entrySet()) {
      List<Integer> rows = g.getValue();
      // rows in slot order: a contiguous slot range is then read as a view, without gathers
      rows.sort(java.util.Comparator.comparingInt(r -> batch.get(r).slot));
      int[] slots = new int[rows.size()];
      int[][] toks = new int[rows.size()][];
      for (int j = 0; j < rows.size(); j++) {
        slots[j] = batch.get(rows.get(j)).slot;
        toks[j] = tokens[rows.get(j)];
      }
      float[] flat;
      try (NDManager step = manager.newSubManager()) {
        flat = g.getKey().gpt().nextLogitsFlat(step, cache, slots, toks, logits); // (B × V)
      }
      soft.fill(flat, rows.size()); // every row in one call
      for (int j = 0; j < rows.size(); j++) {
        sample(batch.get(rows.get(j)), flat, j);
      }
    }
  }

  /** Samples row {@code row} of the step's logits {@code flat}, from {@link #soft}. */
  private void sample(Sequence s, float[] flat, int row) {
    TokenChoice c = Sampler.choose(flat, soft, row, s.job.spec().params(), s.rng);
    s.append(c.token());
    tokensGenerated.increment();
    StopMatcher.Verdict v = s.stop.check(s.tokens, s.count, s.prompt.length);
    if (v.reason() != null) {
      finish(s, v.reason(), c.token(), c.logprob(), v.text());
    } else {
      notify(s, c.token(), c.logprob(), null, "");
    }
  }

  private void finish(Sequence s, FinishReason reason, int token, float logprob, String text) {
    if (reason == FinishReason.CANCELLED) {
      cancelled.increment();
    }
    notify(s, token, logprob, reason, text);
    end(s);
    s.job.sequenceDone();
  }

  /** Frees what a sequence holds (slot, weights, its admission place); no listener call. */
  private void end(Sequence s) {
    if (!s.ended) {
      s.ended = true;
      held.decrementAndGet();
    }
    if (s.slot >= 0) {
      cache.free(s.slot);
      s.slot = -1;
      active.remove(s);
      activeCount.decrementAndGet();
    }
    if (s.weights != null) {
      s.weights.release();
      s.weights = null;
    }
  }

  private void notify(Sequence s, int token, float logprob, FinishReason reason, String text) {
    if (s.job.hasEnded()) {
      return;
    }
    long version = s.version >= 0 ? s.version : current.version();
    try {
      s.job.listener().onStep(s.promptIndex, s.sampleIndex, token, logprob, reason, text, version);
    } catch (RuntimeException e) {
      LOG.warnf(e, "listener of model %s failed; ignoring", name);
    }
  }

  /** Stops the loop; waiting and active sequences end CANCELLED. */
  @Override
  public void close() {
    synchronized (waitingCount) {
      closing = true;
    }
    signal();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    current.retire();
    cache.close();
    manager.close();
  }
}
