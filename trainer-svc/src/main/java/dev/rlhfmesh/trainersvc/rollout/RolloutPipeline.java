package dev.rlhfmesh.trainersvc.rollout;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Rollout producer running ahead of the learner into a bounded buffer. Iteration {@code i} may be
 * collected once the weights after update {@code i - maxPolicyLag} are on the replicas ({@link
 * #published}), so no rollout is more than {@code maxPolicyLag} versions behind the learner that
 * consumes it. {@code maxPolicyLag = 0} is strictly on-policy: there is nothing to run ahead of, so
 * {@link #take} collects on the caller's thread (no producer thread, no native library shared
 * between threads).
 */
public final class RolloutPipeline implements AutoCloseable {
  /** Collects one iteration; called on the producer thread, in iteration order. */
  @FunctionalInterface
  public interface Source {
    RolloutBatch collect(int iteration) throws Exception;
  }

  private final Source source;
  private final int first;
  private final int end;
  private final int maxLag;
  private final BlockingQueue<Object> buffer;
  private final Thread producer;
  private int next;
  private int published;
  private volatile boolean closed;
  private volatile Throwable failure;

  /**
   * @param first first iteration to collect (after a resume, the checkpoint's step)
   * @param end one past the last iteration
   * @param updatesSynced updates whose weights the replicas already serve (normally {@code first})
   */
  public RolloutPipeline(Source source, int first, int end, int maxLag, int updatesSynced) {
    this.source = source;
    this.first = first;
    this.end = end;
    this.maxLag = Math.max(0, maxLag);
    this.published = updatesSynced;
    this.buffer = new ArrayBlockingQueue<>(Math.max(1, this.maxLag));
    this.next = first;
    if (this.maxLag == 0) {
      this.producer = null;
      return;
    }
    this.producer = new Thread(this::produce, "rollout-producer");
    this.producer.setDaemon(true);
    this.producer.start();
  }

  /** Tells the producer that the weights after {@code updates} updates are on the replicas. */
  public synchronized void published(int updates) {
    published = Math.max(published, updates);
    notifyAll();
  }

  /** The next iteration's batch, in order; rethrows the producer's failure. */
  public RolloutBatch take() throws Exception {
    if (producer == null) {
      if (next >= end) {
        throw new IllegalStateException("no iteration left");
      }
      synchronized (this) {
        if (published < next) {
          throw new IllegalStateException(
              "iteration "
                  + next
                  + " needs the weights after update "
                  + next
                  + ", synced: "
                  + published);
        }
      }
      return source.collect(next++);
    }
    while (true) {
      Object o = buffer.poll(100, TimeUnit.MILLISECONDS);
      if (o != null) {
        return (RolloutBatch) o;
      }
      Throwable t = failure;
      if (t instanceof Exception e) {
        throw e;
      }
      if (t != null) {
        throw new IllegalStateException(t);
      }
      if (!producer.isAlive()) {
        throw new IllegalStateException("the rollout producer stopped: no iteration left");
      }
    }
  }

  private void produce() {
    try {
      for (int it = first; it < end && !closed; it++) {
        awaitPublished(it - maxLag);
        if (closed) {
          return;
        }
        buffer.put(source.collect(it));
      }
    } catch (InterruptedException e) {
      // closed
    } catch (Throwable t) {
      failure = t;
    }
  }

  private synchronized void awaitPublished(int updates) throws InterruptedException {
    while (published < updates && !closed) {
      wait(100);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (producer == null) {
      return;
    }
    producer.interrupt();
    try {
      producer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
