package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.trainersvc.data.TextCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * Finds and loads a stage's tokenizer: the spec's tokenizer directory, else a {@code
 * tokenizer.json} inside the spec's model directory, else the trainer's {@code
 * rlhf.trainer.tokenizer-path}.
 */
public final class TokenizerSource {
  private final Optional<Path> fallback;
  private final Function<Path, TextCodec> loader;

  public TokenizerSource(Optional<Path> fallback, Function<Path, TextCodec> loader) {
    this.fallback = fallback;
    this.loader = loader;
  }

  /** Where the tokenizer is; INVALID_ARGUMENT naming {@code field} when nowhere. */
  public Path locate(String field, String specTokenizer, String modelDir) {
    if (!specTokenizer.isBlank()) {
      Path p = Path.of(specTokenizer);
      if (!Files.isRegularFile(p) && !Files.isRegularFile(p.resolve("tokenizer.json"))) {
        throw ServiceException.invalidArgument(field, specTokenizer, "no tokenizer.json there");
      }
      return p;
    }
    if (!modelDir.isBlank() && Files.isRegularFile(Path.of(modelDir, "tokenizer.json"))) {
      return Path.of(modelDir, "tokenizer.json");
    }
    return fallback.orElseThrow(
        () ->
            ServiceException.invalidArgument(
                field, "", "no tokenizer given and rlhf.trainer.tokenizer-path is not set"));
  }

  public TextCodec load(Path path) {
    return loader.apply(path);
  }

  /** Copies the tokenizer file next to an exported model, so the directory is self-contained. */
  public static void copyInto(Path tokenizer, Path modelDir) {
    Path file = Files.isDirectory(tokenizer) ? tokenizer.resolve("tokenizer.json") : tokenizer;
    try {
      Files.createDirectories(modelDir);
      Files.copy(
          file,
          modelDir.resolve("tokenizer.json"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot copy the tokenizer into " + modelDir, e);
    }
  }

  static void requireFile(String field, String path) {
    if (!Files.isRegularFile(Path.of(path))) {
      throw ServiceException.invalidArgument(field, path, "no such file on the trainer");
    }
  }

  static void requireFileOrEmpty(String field, String path) {
    if (!path.isBlank()) {
      requireFile(field, path);
    }
  }

  static void requireDirOrEmpty(String field, String path) {
    if (!path.isBlank() && !Files.isDirectory(Path.of(path))) {
      throw ServiceException.invalidArgument(field, path, "no such directory on the trainer");
    }
  }
}
