package dev.rlhfmesh.modelsvc.serving;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One generate call: its prompts, validated sampling settings, a cancellation probe (client gone or
 * deadline passed) and where results go. Splits into prompts × n {@link Sequence}s.
 */
public final class GenerationJob {
  private final List<int[]> prompts;
  private final SamplingSpec spec;
  private final BooleanSupplier cancelled;
  private final GenerationListener listener;
  private final AtomicInteger remaining;
  private final AtomicBoolean ended = new AtomicBoolean();

  public GenerationJob(
      List<int[]> prompts,
      SamplingSpec spec,
      BooleanSupplier cancelled,
      GenerationListener listener) {
    this.prompts = List.copyOf(prompts);
    this.spec = spec;
    this.cancelled = cancelled;
    this.listener = listener;
    this.remaining = new AtomicInteger(prompts.size() * spec.n());
  }

  public List<int[]> prompts() {
    return prompts;
  }

  public SamplingSpec spec() {
    return spec;
  }

  public int sequenceCount() {
    return prompts.size() * spec.n();
  }

  boolean isCancelled() {
    return ended.get() || cancelled.getAsBoolean();
  }

  GenerationListener listener() {
    return listener;
  }

  /** Called when one sequence ended; tells the listener once all have. */
  void sequenceDone() {
    if (remaining.decrementAndGet() == 0 && ended.compareAndSet(false, true)) {
      listener.onComplete();
    }
  }

  /** Fails the whole job once. */
  void fail(Throwable t) {
    if (ended.compareAndSet(false, true)) {
      listener.onError(t);
    }
  }

  boolean hasEnded() {
    return ended.get();
  }
}
