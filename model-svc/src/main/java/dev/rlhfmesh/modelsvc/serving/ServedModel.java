package dev.rlhfmesh.modelsvc.serving;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.scoring.SequenceScorer;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * One named model being served: its shape, its current {@link Weights}, its {@link
 * ContinuousBatcher}, and teacher-forced scoring. Weight versions only move forward.
 */
public final class ServedModel implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ServedModel.class);

  private final String name;
  private final GptConfig config;
  private final int eosId;
  private final TextDecoder decoder;
  private final NDManager root;
  private final ContinuousBatcher batcher;
  private final int scoreMicroBatch;

  /** Per-response scores and the version that computed them. */
  public record Scores(float[][] logprobs, float[][] entropies, long version) {}

  /**
   * @param root manager owning everything of this model (closed with it)
   * @param initial first weights
   * @param eosId end-of-sequence id or -1
   * @param decoder tokenizer text for stop strings, or null
   */
  public ServedModel(
      String name,
      NDManager root,
      Weights initial,
      int eosId,
      TextDecoder decoder,
      int maxBatch,
      int queueCapacity,
      int scoreMicroBatch) {
    this.name = name;
    this.root = root;
    this.config = initial.gpt().config();
    this.eosId = eosId;
    this.decoder = decoder;
    this.scoreMicroBatch = scoreMicroBatch;
    this.batcher = new ContinuousBatcher(name, root, initial, maxBatch, queueCapacity);
  }

  public String name() {
    return name;
  }

  public GptConfig config() {
    return config;
  }

  public int eosId() {
    return eosId;
  }

  public boolean hasTokenizer() {
    return decoder != null;
  }

  /** The manager new weights of this model are created under. */
  public NDManager manager() {
    return root;
  }

  public ContinuousBatcher batcher() {
    return batcher;
  }

  public long version() {
    return batcher.current().version();
  }

  public String source() {
    return batcher.current().source();
  }

  /** Queues a generation (RESOURCE_EXHAUSTED when the queue is full). */
  public void generate(GenerationJob job) {
    batcher.submit(job, eosId, config.nPositions(), decoder);
  }

  /** Teacher-forced logprobs (and entropies) of responses after prompts, one weight version. */
  public Scores score(List<int[]> prompts, List<int[]> responses) {
    Weights w = batcher.acquireCurrent();
    try {
      SequenceScorer.Scores s =
          new SequenceScorer(w.gpt(), scoreMicroBatch).score(prompts, responses);
      return new Scores(s.logprobs(), s.entropies(), w.version());
    } finally {
      w.release();
    }
  }

  /**
   * Makes {@code next} serve from the next decode step on; in-flight samples finish on the weights
   * they started with. Throws FAILED_PRECONDITION (and closes {@code next}) when its version does
   * not move forward.
   */
  public synchronized long publish(Weights next) {
    long serving = version();
    if (next.version() <= serving) {
      next.retire();
      throw ServiceException.failedPrecondition(
          "version "
              + next.version()
              + " does not move forward: model '"
              + name
              + "' serves "
              + serving);
    }
    try {
      batcher.swap(next).get(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while swapping weights", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("weight swap did not happen", e);
    }
    LOG.infof("model %s now serves version %d (%s)", name, next.version(), next.source());
    return next.version();
  }

  /** NDArrays alive under this model's manager (weights, cache, anything leaked). */
  public int liveArrays() {
    return root.getManagedArrays().size();
  }

  @Override
  public void close() {
    batcher.close();
    root.close();
  }
}
