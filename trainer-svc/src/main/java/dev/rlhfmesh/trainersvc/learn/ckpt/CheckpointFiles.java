package dev.rlhfmesh.trainersvc.learn.ckpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.rlhfmesh.model.io.Safetensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checkpoint directory plumbing shared by the trainers: a directory is written in full under a
 * temporary sibling and then renamed into place, so a crash mid-save never leaves a half-written
 * checkpoint under the final name. Trainer state is JSON (doubles round-trip exactly: Jackson
 * writes the shortest decimal that reads back to the same double); tensors are safetensors.
 */
public final class CheckpointFiles {
  public static final String STATE = "trainer_state.json";
  public static final String OPTIMIZER = "optimizer.safetensors";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private CheckpointFiles() {}

  /** Runs {@code writer} on an empty temporary directory, then moves it to {@code dir}. */
  public static void writeAtomically(Path dir, Consumer<Path> writer) {
    Path target = dir.toAbsolutePath().normalize();
    Path parent = target.getParent();
    Path tmp = parent.resolve("." + target.getFileName() + ".tmp-" + System.nanoTime());
    Path old = parent.resolve("." + target.getFileName() + ".old-" + System.nanoTime());
    try {
      Files.createDirectories(tmp);
      writer.accept(tmp);
      boolean replacing = Files.exists(target);
      if (replacing) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      if (replacing) {
        deleteTree(old);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint " + target, e);
    } finally {
      deleteTree(tmp);
    }
  }

  public static void writeJson(Path file, Map<String, ?> state) {
    try {
      JSON.writeValue(file.toFile(), state);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  public static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The trainer-state JSON of a checkpoint, checking it was written by the expected trainer. */
  public static JsonNode readState(Path dir, String kind) {
    Path file = dir.resolve(STATE);
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(dir + " is not a checkpoint: no " + STATE);
    }
    JsonNode n = readJson(file);
    String found = n.path("kind").asText("");
    if (!kind.equals(found)) {
      throw new IllegalArgumentException(dir + " holds a " + found + " checkpoint, not " + kind);
    }
    return n;
  }

  public static void writeTensors(Path file, Map<String, NDArray> tensors) {
    Safetensors.write(file, tensors, Map.of());
  }

  public static Map<String, NDArray> readTensors(NDManager manager, Path file) {
    return Safetensors.read(manager, file);
  }

  private static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + p, e);
    }
  }
}
