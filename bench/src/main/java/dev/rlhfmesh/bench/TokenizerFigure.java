package dev.rlhfmesh.bench;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.rlhfmesh.model.tokenizer.Tokenizers;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Tokenizer encode throughput over gRPC against in-process, tokenizer-svc's own benchmark approach:
 * batches of 64 prompt-like texts encoded back to back by one caller, texts/s. The service trains
 * its default tokenizer at start into a data directory; the in-process side loads that same
 * tokenizer.json through model-core.
 */
final class TokenizerFigure {
  static final int BATCH = 64;
  static final int BATCHES_PER_REPEAT = 40;
  static final String[] WORDS = {
    "the", "model", "learns", "to", "add", "two", "numbers", "and", "answers", "with", "a", "short",
    "reply", "reward", "policy", "value", "of", "each", "token", "is", "scored", "by", "human",
    "raters", "who", "prefer", "correct", "answers", "over", "wrong", "ones", "quickly"
  };

  private TokenizerFigure() {}

  static Figure measure(Path jar, Path work, int repeats) {
    String name = "tokenizer encode over gRPC (64-text batches)";
    Path data = work.resolve("tokenizer-data");
    try (AppProcess app =
        AppProcess.start(
            jar,
            List.of("rlhf.tokenizer.data-dir=" + data.toAbsolutePath()),
            work.resolve("tokenizer-svc.log"),
            180)) {
      Optional<Path> json;
      try (Stream<Path> s = Files.walk(data)) {
        json = s.filter(p -> p.getFileName().toString().equals("tokenizer.json")).findFirst();
      }
      if (json.isEmpty()) {
        return Figure.missing(name, "texts/s", "in-process", null, "no tokenizer.json in " + data);
      }
      List<List<String>> batches = batches();
      var stub = TokenizerServiceGrpc.newBlockingStub(app.channel);
      try (HuggingFaceTokenizer local = Tokenizers.load(json.get().getParent())) {
        Consumer<List<String>> inProcess = local::batchEncode;
        Consumer<List<String>> grpc =
            b ->
                stub.withDeadlineAfter(60, TimeUnit.SECONDS)
                    .encode(EncodeRequest.newBuilder().addAllTexts(b).build());
        double[] ours = new double[repeats];
        double[] ref = new double[repeats];
        rate(grpc, batches);
        rate(inProcess, batches);
        for (int r = 0; r < repeats; r++) {
          ours[r] = rate(grpc, batches);
          ref[r] = rate(inProcess, batches);
        }
        return new Figure(
            name, "texts/s", Stats.median(ours), Stats.median(ref), "in-process", null, null);
      }
    } catch (Exception e) {
      return Figure.missing(
          name, "texts/s", "in-process", null, "tokenizer-svc: " + e.getMessage());
    }
  }

  static double rate(Consumer<List<String>> encode, List<List<String>> batches) {
    long t0 = System.nanoTime();
    for (int i = 0; i < BATCHES_PER_REPEAT; i++) {
      encode.accept(batches.get(i % batches.size()));
    }
    return (double) BATCH * BATCHES_PER_REPEAT / ((System.nanoTime() - t0) / 1e9);
  }

  /** Seeded prompt-like texts of 20–60 words. */
  static List<List<String>> batches() {
    SplittableRandom r = new SplittableRandom(42);
    List<List<String>> out = new ArrayList<>();
    for (int b = 0; b < 8; b++) {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        StringBuilder t = new StringBuilder();
        int n = 20 + r.nextInt(41);
        for (int k = 0; k < n; k++) {
          t.append(k == 0 ? "" : " ").append(WORDS[r.nextInt(WORDS.length)]);
        }
        batch.add(t.append('.').toString());
      }
      out.add(batch);
    }
    return out;
  }
}
