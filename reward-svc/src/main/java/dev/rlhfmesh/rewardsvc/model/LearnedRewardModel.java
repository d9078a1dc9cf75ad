package dev.rlhfmesh.rewardsvc.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.io.GptWeights;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jboss.logging.Logger;

/**
 * A learned reward model: model-core's GPT backbone + scalar head, the reward read at the last
 * response token of {@code prompt ++ response}. Weights are replaced atomically: a forward pass
 * uses one {@link Loaded} snapshot from start to end, and a replacement builds the new model fully
 * before it swaps the reference, so a batch never sees half-old, half-new weights and a failed
 * replacement leaves the old weights serving.
 */
public final class LearnedRewardModel implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LearnedRewardModel.class);

  /** The serving model with where it came from. */
  public record Loaded(ScalarHeadModel model, long version, String source, boolean seeded) {}

  private final String name;
  private final NDManager root;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private Loaded current;

  private LearnedRewardModel(String name, NDManager root, Loaded first) {
    this.name = name;
    this.root = root;
    this.current = first;
  }

  /** Loads a Hugging Face-style directory (config.json + model.safetensors with score.*). */
  public static LearnedRewardModel fromDirectory(String name, Path dir) {
    NDManager root = NDManager.newBaseManager();
    try {
      ScalarHeadModel m = load(root, dir);
      LOG.infof("reward model '%s' loaded from %s (%s)", name, dir, m.config());
      return new LearnedRewardModel(name, root, new Loaded(m, 0, dir.toString(), false));
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** A fresh, untrained model from a seed: scores mean nothing until weights are loaded. */
  public static LearnedRewardModel seeded(String name, GptConfig config, long seed) {
    NDManager root = NDManager.newBaseManager();
    ScalarHeadModel m = ScalarHeadModel.init(root, config, seed);
    LOG.warnf(
        "reward model '%s' is a SEEDED INIT (seed %d, untrained, %s): its scores are meaningless"
            + " until weights are loaded (rlhf.reward.specs.%s.path or a weight update)",
        name, seed, config, name);
    return new LearnedRewardModel(name, root, new Loaded(m, 0, "seed " + seed, true));
  }

  /**
   * Reads a directory into fresh parameters. Not {@link ScalarHeadModel#load}: in model-core
   * 94d35b9 that aliases the file buffers (a same-dtype {@code toType(F32, true)} does not copy),
   * so a GC after loading corrupts the weights (NaN scores). Copying into an initialised model
   * while the read tensors are alive avoids it.
   */
  private static ScalarHeadModel load(NDManager root, Path dir) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    ScalarHeadModel model = ScalarHeadModel.init(root, config, 0);
    try (NDManager tmp = root.newSubManager()) {
      model.loadStateDict(GptWeights.readDirectory(tmp, dir));
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /**
   * Scores of {@code prompt ++ response} sequences (one per sequence, in order) and the version.
   */
  public Scored scoreVersioned(List<int[]> sequences) {
    lock.readLock().lock();
    try {
      Loaded l = current;
      return new Scored(l.model().scoreArray(root, sequences.toArray(int[][]::new)), l.version());
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Scores of a batch and the weight version that computed them. */
  public record Scored(float[] scores, long version) {}

  public Loaded current() {
    lock.readLock().lock();
    try {
      return current;
    } finally {
      lock.readLock().unlock();
    }
  }

  public GptConfig config() {
    return current().model().config();
  }

  public long version() {
    return current().version();
  }

  /** One line for ListRewards. */
  public String description() {
    Loaded l = current();
    GptConfig c = l.model().config();
    String shape =
        c.nLayer()
            + " layers, "
            + c.nEmbd()
            + " wide, vocab "
            + c.vocabSize()
            + ", "
            + c.nPositions();
    return (l.seeded()
            ? "learned reward model, SEEDED INIT (untrained, " + l.source() + ")"
            : "learned reward model from " + l.source())
        + ": GPT backbone + scalar head at the last response token ("
        + shape
        + " positions), weight version "
        + l.version();
  }

  /** Parameter names (HF layout, backbone under {@code transformer.}) and shapes, for manifests. */
  public Map<String, Shape> parameterShapes() {
    Map<String, Shape> out = new LinkedHashMap<>();
    lock.readLock().lock();
    try {
      for (Map.Entry<String, NDArray> e : current.model().parameters().entrySet()) {
        out.put(e.getKey(), e.getValue().getShape());
      }
    } finally {
      lock.readLock().unlock();
    }
    return out;
  }

  /**
   * Copies a full state dict (names as in {@link ScalarHeadModel#parameters()}) into a fresh copy
   * of the model and swaps it in as {@code version}. Validated before the swap; on any failure the
   * serving weights are untouched.
   */
  public void replaceWeights(Map<String, NDArray> stateDict, long version, String source) {
    GptConfig config = config();
    ScalarHeadModel next = ScalarHeadModel.init(root, config, 0);
    try {
      next.loadStateDict(stateDict);
    } catch (RuntimeException e) {
      next.close();
      throw e;
    }
    swap(new Loaded(next, version, source, false));
  }

  /**
   * Loads a directory into a new model (its shape may differ) and swaps it in as {@code version}.
   */
  public void replaceFromDirectory(Path dir, long version) {
    ScalarHeadModel next = load(root, dir);
    swap(new Loaded(next, version, dir.toString(), false));
  }

  private void swap(Loaded next) {
    Loaded old;
    lock.writeLock().lock();
    try {
      old = current;
      current = next;
    } finally {
      lock.writeLock().unlock();
    }
    old.model().close(); // no forward pass holds it: they run under the read lock
    LOG.infof(
        "reward model '%s' now serves version %d from %s", name, next.version(), next.source());
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      current.model().close();
      root.close();
    } finally {
      lock.writeLock().unlock();
    }
  }
}
