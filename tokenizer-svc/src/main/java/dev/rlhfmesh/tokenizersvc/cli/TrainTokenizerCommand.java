package dev.rlhfmesh.tokenizersvc.cli;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.tokenizersvc.core.BuiltInCorpus;
import dev.rlhfmesh.tokenizersvc.core.TrainingJob;
import java.io.BufferedReader;
import java.util.ArrayList;
import java.util.List;

/**
 * Trains a byte-level BPE tokenizer from the command line and writes {@code tokenizer.json} +
 * {@code tokenizer_config.json}, then loads it back through DJL and checks a round trip.
 *
 * <pre>
 * java -cp 'tokenizer-svc/target/quarkus-app/app/*:tokenizer-svc/target/quarkus-app/lib/main/*' \
 *   dev.rlhfmesh.tokenizersvc.cli.TrainTokenizerCommand --out /tmp/tok [--corpus FILE]... \
 *   [--vocab-size 1024] [--min-frequency 2] [--special TOKEN]...
 * </pre>
 *
 * Without {@code --corpus} the built-in corpus is used. Exit status 2 on bad arguments.
 */
public final class TrainTokenizerCommand {
  private TrainTokenizerCommand() {}

  public static void main(String[] args) throws Exception {
    List<String> files = new ArrayList<>();
    List<String> specials = new ArrayList<>();
    int vocabSize = BuiltInCorpus.DEFAULT_VOCAB_SIZE;
    int minFrequency = 2;
    String out = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--corpus" -> files.add(args[++i]);
          case "--special" -> specials.add(args[++i]);
          case "--vocab-size" -> vocabSize = Integer.parseInt(args[++i]);
          case "--min-frequency" -> minFrequency = Integer.parseInt(args[++i]);
          case "--out" -> out = args[++i];
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (out == null) {
        throw new IllegalArgumentException("--out DIR is required");
      }
    } catch (RuntimeException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(
          "usage: TrainTokenizerCommand --out DIR [--corpus FILE]... [--vocab-size N]"
              + " [--min-frequency N] [--special TOKEN]...");
      System.exit(2);
      return;
    }
    List<String> texts = new ArrayList<>();
    if (files.isEmpty()) {
      try (BufferedReader r = BuiltInCorpus.open()) {
        r.lines().forEach(texts::add);
      }
    }
    long start = System.nanoTime();
    TrainingJob.Result result;
    try {
      result =
          TrainingJob.run(
              new TrainingJob.Spec(
                  texts, files, vocabSize, minFrequency, specials, out, Integer.MAX_VALUE),
              () -> false);
    } catch (ServiceException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.printf(
        "wrote %s: vocab %d, %d merges, %.3f corpus bytes/token, %d ms (corpus: %s)%n",
        result.tokenizerJson(),
        result.model().vocabSize(),
        result.model().merges().size(),
        result.model().bytesPerToken(),
        ms,
        files.isEmpty() ? "built-in " + BuiltInCorpus.RESOURCE : String.join(", ", files));
    String probe = "Hello, wörld! 23+58=81 \t 你好 🙂\n";
    try (LoadedTokenizer t =
        LoadedTokenizer.load(
            result.tokenizerJson().getParent(), result.tokenizerJson().toString())) {
      int[] ids = t.encode(List.of(probe), false, false).get(0).ids();
      String back = t.decode(ids, false);
      System.out.printf(
          "reloaded through DJL: %d ids for a %d-byte probe, round trip %s%n",
          ids.length,
          probe.getBytes(java.nio.charset.StandardCharsets.UTF_8).length,
          back.equals(probe) ? "exact" : "BROKEN");
      if (!back.equals(probe)) {
        System.exit(1);
      }
    }
  }
}
