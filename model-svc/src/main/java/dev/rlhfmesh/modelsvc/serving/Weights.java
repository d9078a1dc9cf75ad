package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.KvCache;
import dev.rlhfmesh.model.gpt.NoGrad;

/**
 * One version of a model's weights. Reference-counted: sequences pinned to it and scoring calls
 * hold it, so a swap never frees weights that are still in use; it closes once it is retired and
 * the last holder lets go.
 */
public final class Weights {
  private final Gpt gpt;
  private final long version;
  private final String source;
  private int holders;
  private boolean retired;
  private boolean closed;

  /**
   * @param gpt the decoder; owned from now on
   * @param version the weight version it serves as
   * @param source directory, {@code seeded-init:<seed>} or {@code update:<version>}
   */
  public Weights(Gpt gpt, long version, String source) {
    this.gpt = gpt;
    this.version = version;
    this.source = source;
    warmUp();
  }

  /** One tiny forward pass so lazily built views exist before several threads use the model. */
  private void warmUp() {
    try (NoGrad ng = NoGrad.enter();
        NDManager m = gpt.manager().newSubManager();
        KvCache c = new KvCache(m, gpt.config(), 1, 1)) {
      gpt.nextLogitsCached(m, c, new int[] {c.allocate()}, new int[][] {{0}}).close();
    }
  }

  public Gpt gpt() {
    return gpt;
  }

  public long version() {
    return version;
  }

  public String source() {
    return source;
  }

  /** Takes a hold; false when these weights are already closed. */
  public synchronized boolean acquire() {
    if (closed) {
      return false;
    }
    holders++;
    return true;
  }

  public synchronized void release() {
    holders--;
    closeIfUnused();
  }

  /** No new holders will come: close as soon as the current ones are done. */
  public synchronized void retire() {
    retired = true;
    closeIfUnused();
  }

  public synchronized boolean isClosed() {
    return closed;
  }

  private void closeIfUnused() {
    if (retired && holders <= 0 && !closed) {
      closed = true;
      gpt.close();
    }
  }
}
