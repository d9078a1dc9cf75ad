package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.trainersvc.data.DataOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The loop SFT and reward-model training share: seeded train/eval split (or a given eval set),
 * batches in {@link DataOrder} (resumable from the cursor), one learner step per job step, eval
 * every {@code evalEvery} steps and at the end, checkpoints, then export to {@code <job>/model}.
 */
final class SupervisedLoop<T> {
  private SupervisedLoop() {}

  /** The examples of a separate eval file, or empty when none is named. */
  static <T> Optional<List<T>> evalFile(
      String path, java.util.function.Function<Path, List<T>> load) {
    return path.isBlank() ? Optional.empty() : Optional.of(load.apply(Path.of(path)));
  }

  /**
   * @param evalData a separate eval set (then {@code evalFraction} is 0); empty = split the
   *     examples
   * @param tokensOf tokens in one example (for tokens/s)
   * @param afterExport adds files next to the exported model (the tokenizer)
   */
  static <T> void run(
      JobContext ctx,
      List<T> examples,
      double evalFraction,
      Optional<List<T>> evalData,
      int steps,
      int batchSize,
      int evalEvery,
      SupervisedLearner<T> learner,
      ToIntFunction<T> tokensOf,
      java.util.function.Consumer<Path> afterExport) {
    long seed = ctx.spec().getSeed();
    List<List<T>> split = DataOrder.split(examples, evalFraction, seed);
    List<T> train = split.get(0);
    List<T> eval = evalData.orElse(split.get(1));
    if (train.isEmpty()) {
      throw new IllegalArgumentException("no training examples left after the eval split");
    }
    DataOrder order = new DataOrder(train.size(), seed);
    int start = ctx.resumeFrom().map(p -> CheckpointStore.readState(p).step()).orElse(0);
    for (int step = start + 1; step <= steps; step++) {
      if (ctx.stopRequested()) {
        return;
      }
      long cursor = (long) (step - 1) * batchSize;
      List<T> batch = order.batch(train, cursor, batchSize);
      long t0 = System.nanoTime();
      Map<String, Double> metrics = new LinkedHashMap<>(learner.step(batch));
      double learnMs = (System.nanoTime() - t0) / 1e6;
      long tokens = batch.stream().mapToLong(tokensOf::applyAsInt).sum();
      metrics.put("time_learn_ms", learnMs);
      metrics.put("tokens_per_s", learnMs <= 0 ? 0 : tokens / (learnMs / 1e3));
      metrics.put("epoch", (double) (cursor + batchSize) / train.size());
      boolean last = step == steps;
      if (!eval.isEmpty() && (last || (evalEvery > 0 && step % evalEvery == 0))) {
        long e0 = System.nanoTime();
        metrics.putAll(learner.evaluate(eval));
        metrics.put("eval_examples", (double) eval.size());
        metrics.put("time_eval_ms", (System.nanoTime() - e0) / 1e6);
      }
      ctx.reportStep(step, metrics);
      if (ctx.checkpointDue(step) || last) {
        int s = step;
        ctx.checkpoint(new TrainerState(s, (long) s * batchSize, seed, 0, Map.of()), learner::save);
      }
    }
    Path model = ctx.outputDir().resolve("model");
    learner.export(model);
    afterExport.accept(model);
  }
}
