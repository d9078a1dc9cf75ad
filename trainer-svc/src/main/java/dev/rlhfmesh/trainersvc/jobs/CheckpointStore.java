package dev.rlhfmesh.trainersvc.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.proto.trainer.v1.Checkpoint;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Job checkpoints under {@code <job>/checkpoints/step-N/}: whatever the learner saves (in {@code
 * learner/}), plus {@code trainer-state.json} and the metrics history up to step N. A checkpoint is
 * written into {@code step-N.tmp} and renamed, so a crash mid-save leaves only complete
 * checkpoints; the oldest are pruned to keep-last-N.
 */
public final class CheckpointStore {
  static final String STATE_FILE = "trainer-state.json";
  static final String METRICS_FILE = "metrics.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  public CheckpointStore(Path jobDir) {
    this.root = jobDir.resolve("checkpoints");
  }

  /** Saves step N: {@code learnerSave} writes the learner's files into the given directory. */
  public Path save(
      TrainerState state, List<MetricsEvent> history, int keepLast, Consumer<Path> learnerSave) {
    Path dir = root.resolve("step-" + state.step());
    Path tmp = root.resolve("step-" + state.step() + ".tmp");
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      learnerSave.accept(learnerDir(tmp));
      JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.resolve(STATE_FILE).toFile(), state);
      JobStore.writeMetricsFile(tmp.resolve(METRICS_FILE), history);
      deleteTree(dir);
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save checkpoint " + dir, e);
    }
    prune(keepLast);
    return dir;
  }

  /** Complete checkpoints, oldest first. */
  public List<Checkpoint> list() {
    List<Checkpoint> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path d : dirs.toList()) {
        String name = d.getFileName().toString();
        if (!name.matches("step-\\d+") || !Files.isRegularFile(d.resolve(STATE_FILE))) {
          continue;
        }
        out.add(
            Checkpoint.newBuilder()
                .setStep(Integer.parseInt(name.substring(5)))
                .setPath(d.toAbsolutePath().toString())
                .setCreatedAtMs(Files.getLastModifiedTime(d.resolve(STATE_FILE)).toMillis())
                .build());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + root, e);
    }
    out.sort(Comparator.comparingInt(Checkpoint::getStep));
    return out;
  }

  public Optional<Checkpoint> latest() {
    List<Checkpoint> all = list();
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
  }

  /** Where the learner's own files are inside a checkpoint directory. */
  public static Path learnerDir(Path checkpointDir) {
    return checkpointDir.resolve("learner");
  }

  public static TrainerState readState(Path checkpointDir) {
    try {
      return JSON.readValue(checkpointDir.resolve(STATE_FILE).toFile(), TrainerState.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + checkpointDir.resolve(STATE_FILE), e);
    }
  }

  public static List<MetricsEvent> readHistory(Path checkpointDir) {
    return JobStore.readMetricsFile(checkpointDir.resolve(METRICS_FILE));
  }

  private void prune(int keepLast) {
    if (keepLast <= 0) {
      return;
    }
    List<Checkpoint> all = list();
    for (int i = 0; i < all.size() - keepLast; i++) {
      deleteTree(Path.of(all.get(i).getPath()));
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }
}
