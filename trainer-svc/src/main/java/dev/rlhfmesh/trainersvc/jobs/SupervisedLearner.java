package dev.rlhfmesh.trainersvc.jobs;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the orchestration needs of an SFT or reward-model learner (the learning core's {@code
 * SftTrainer} / {@code RewardModelTrainer} behind an adapter).
 *
 * @param <T> example type
 */
public interface SupervisedLearner<T> extends AutoCloseable {
  /** One optimiser step on a batch; returns its metrics (loss, grad_norm, lr, ...). */
  Map<String, Double> step(List<T> batch);

  /** Metrics on held-out examples (eval_loss, eval_accuracy, ...), no update. */
  Map<String, Double> evaluate(List<T> eval);

  /** Everything needed to resume: weights, optimiser, RNG. */
  void save(Path dir);

  /** A directory the serving side loads (config.json + model.safetensors). */
  void export(Path dir);

  @Override
  void close();
}
