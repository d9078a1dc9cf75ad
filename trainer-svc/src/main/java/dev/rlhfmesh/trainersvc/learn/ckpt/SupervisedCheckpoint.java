package dev.rlhfmesh.trainersvc.learn.ckpt;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.train.AdamW;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The checkpoint of a supervised trainer (SFT, reward model): the model under {@code model/}, the
 * AdamW state and {@code trainer_state.json} (kind, seed, step, settings), written atomically.
 * Batch order derives from (seed, step), so nothing else is needed to resume exactly.
 */
public final class SupervisedCheckpoint {
  private SupervisedCheckpoint() {}

  /** Where the model of a checkpoint lives; {@code saveModel} writes it there. */
  public static Path modelDir(Path checkpoint) {
    return checkpoint.resolve("model");
  }

  public static void save(
      Path dir,
      String kind,
      long seed,
      Object settings,
      Consumer<Path> saveModel,
      AdamW adam,
      NDManager root) {
    CheckpointFiles.writeAtomically(
        dir,
        tmp -> {
          saveModel.accept(modelDir(tmp));
          try (NDManager m = root.newSubManager()) {
            CheckpointFiles.writeTensors(tmp.resolve(CheckpointFiles.OPTIMIZER), adam.stateDict(m));
          }
          Map<String, Object> state = new LinkedHashMap<>();
          state.put("kind", kind);
          state.put("seed", seed);
          state.put("step", adam.stepCount());
          state.put("settings", settings);
          CheckpointFiles.writeJson(tmp.resolve(CheckpointFiles.STATE), state);
        });
  }

  /** The seed a checkpoint of {@code kind} was started with (checks the kind). */
  public static long seed(Path dir, String kind) {
    return CheckpointFiles.readState(dir, kind).path("seed").asLong();
  }

  /** Loads the saved AdamW state into {@code adam}. */
  public static void loadOptimizer(Path dir, AdamW adam, NDManager root) {
    try (NDManager m = root.newSubManager()) {
      adam.loadStateDict(CheckpointFiles.readTensors(m, dir.resolve(CheckpointFiles.OPTIMIZER)));
    }
  }
}
