package dev.rlhfmesh.tokenizersvc.core;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.SpecialTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One tokenizer training run: checks the request (naming the bad field), reads the corpus, trains
 * and writes {@code tokenizer.json} + {@code tokenizer_config.json}. Shared by the TrainTokenizer
 * RPC and the command line.
 */
public final class TrainingJob {
  /**
   * What to train; field names match the TrainTokenizer request.
   *
   * @param corpusTexts documents given inline
   * @param corpusFiles UTF-8 files, one document per line
   * @param maxVocabSize upper bound accepted for vocabSize
   */
  public record Spec(
      List<String> corpusTexts,
      List<String> corpusFiles,
      int vocabSize,
      int minFrequency,
      List<String> specialTokens,
      String outputDir,
      int maxVocabSize) {}

  /** What was written. */
  public record Result(Path tokenizerJson, BpeModel model) {}

  private TrainingJob() {}

  public static Result run(Spec spec, BooleanSupplier cancelled) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < spec.specialTokens().size(); i++) {
      String t = spec.specialTokens().get(i);
      if (t.isBlank() || !seen.add(t) || SpecialTokens.DEFAULTS.contains(t)) {
        throw ServiceException.invalidArgument(
            "special_tokens[" + i + "]", t, "must be non-blank, unique and not a default token");
      }
    }
    ByteLevelBpeTrainer.Options options =
        new ByteLevelBpeTrainer.Options(
            spec.vocabSize(),
            spec.minFrequency() == 0 ? 2 : spec.minFrequency(),
            spec.specialTokens());
    if (spec.vocabSize() < options.minVocabSize() || spec.vocabSize() > spec.maxVocabSize()) {
      throw ServiceException.invalidArgument(
          "vocab_size",
          spec.vocabSize(),
          "must be in ["
              + options.minVocabSize()
              + ", "
              + spec.maxVocabSize()
              + "] (256 byte tokens + "
              + options.specialTokens().size()
              + " special tokens at least)");
    }
    if (spec.minFrequency() < 0) {
      throw ServiceException.invalidArgument("min_frequency", spec.minFrequency(), "must be >= 0");
    }
    Path out = writableDir(spec.outputDir());

    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    spec.corpusTexts().forEach(trainer::add);
    for (int i = 0; i < spec.corpusFiles().size(); i++) {
      String field = "corpus_files[" + i + "]";
      Path file = path(field, spec.corpusFiles().get(i));
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw ServiceException.invalidArgument(field, file.toString(), "no readable file there");
      }
      try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        trainer.addLines(r);
      } catch (IOException e) {
        throw ServiceException.invalidArgument(field, file.toString(), "unreadable: " + e);
      }
    }
    if (trainer.documents() == 0) {
      throw ServiceException.invalidArgument(
          "corpus_texts", "[]", "give corpus_texts or corpus_files: the corpus is empty");
    }
    BpeModel model = trainer.train(options, cancelled);
    try {
      Path json = TokenizerJsonWriter.write(model, out, ChatTemplate.DEFAULT);
      return new Result(json, model);
    } catch (IOException e) {
      throw ServiceException.invalidArgument("output_dir", out.toString(), "cannot write: " + e);
    }
  }

  private static Path path(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ServiceException.invalidArgument(field, "", "is required");
    }
    try {
      return Path.of(value);
    } catch (InvalidPathException e) {
      throw ServiceException.invalidArgument(field, value, "not a valid path");
    }
  }

  /** Creates the directory if needed and proves it is writable before any training is done. */
  private static Path writableDir(String value) {
    Path dir = path("output_dir", value);
    try {
      Files.createDirectories(dir);
      Path probe = Files.createTempFile(dir, ".write-probe", ".tmp");
      Files.delete(probe);
      return dir;
    } catch (IOException | UncheckedIOException | SecurityException e) {
      throw ServiceException.invalidArgument("output_dir", value, "not a writable directory");
    }
  }
}
