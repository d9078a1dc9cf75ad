package dev.rlhfmesh.tokenizersvc.bench;

import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.tokenizersvc.core.BuiltInCorpus;
import dev.rlhfmesh.tokenizersvc.core.TokenizerJsonWriter;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Batch-encode throughput of 64-text batches: (a) in-process through DJL, (b) over gRPC against a
 * running tokenizer-svc, for 1 and 4 callers at once; prints texts/s and the gRPC / in-process
 * ratio. Not a test. Start the service first ({@code java -jar
 * tokenizer-svc/target/quarkus-app/quarkus-run.jar}), then see the module README for the command.
 *
 * <p>Args: {@code [host:port (default localhost:9001)] [tokenizer dir, or - for the built-in
 * default, trained here exactly as the service does] [seconds per measurement (default 5)]}.
 */
public final class EncodeBenchmark {
  static final int BATCH = 64;

  private EncodeBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("ai.djl.offline", "true");
    String target = args.length > 0 ? args[0] : "localhost:9001";
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 5;
    Path dir;
    if (args.length > 1 && !args[1].equals("-")) {
      dir = Path.of(args[1]);
    } else {
      dir = Files.createTempDirectory("encode-bench");
      TokenizerJsonWriter.write(
          BuiltInCorpus.trainDefault(BuiltInCorpus.DEFAULT_VOCAB_SIZE), dir, ChatTemplate.DEFAULT);
    }
    List<List<String>> batches = batches();
    long chars = batches.get(0).stream().mapToLong(String::length).sum();
    System.out.printf(
        "batches of %d texts, ~%d chars per text, %d distinct batches, %.0f s per figure%n",
        BATCH, chars / BATCH, batches.size(), seconds);

    ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try (LoadedTokenizer local = LoadedTokenizer.load(dir, dir.toString())) {
      var stub = TokenizerServiceGrpc.newBlockingStub(channel);
      int remoteVocab =
          stub.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance()).getVocabSize();
      System.out.printf(
          "in-process tokenizer: vocab %d; service at %s: vocab %d%n",
          local.vocabSize(), target, remoteVocab);
      Consumer<List<String>> inProcess = b -> local.encode(b, false, false);
      Consumer<List<String>> overGrpc =
          b -> stub.encode(EncodeRequest.newBuilder().addAllTexts(b).build());
      for (int callers : new int[] {1, 4}) {
        measure(inProcess, batches, callers, 1); // warm-up
        measure(overGrpc, batches, callers, 1);
        double a = measure(inProcess, batches, callers, seconds);
        double g = measure(overGrpc, batches, callers, seconds);
        System.out.printf(
            "%d caller(s): in-process %.0f texts/s, gRPC %.0f texts/s, ratio %.2f%n",
            callers, a, g, g / a);
      }
    } finally {
      channel.shutdownNow();
    }
  }

  /** Texts like chat prompts: three to six corpus lines joined, fixed seed. */
  static List<List<String>> batches() throws Exception {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = BuiltInCorpus.open()) {
      r.lines().forEach(lines::add);
    }
    Random rng = new Random(42);
    List<List<String>> out = new ArrayList<>();
    for (int b = 0; b < 32; b++) {
      List<String> batch = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) {
        StringBuilder text = new StringBuilder();
        int n = 3 + rng.nextInt(4);
        for (int k = 0; k < n; k++) {
          text.append(k == 0 ? "" : " ").append(lines.get(rng.nextInt(lines.size())));
        }
        batch.add(text.toString());
      }
      out.add(batch);
    }
    return out;
  }

  /** Texts per second with {@code callers} threads each encoding batches back to back. */
  static double measure(
      Consumer<List<String>> encode, List<List<String>> batches, int callers, double seconds)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    List<Future<Long>> done = new ArrayList<>();
    for (int c = 0; c < callers; c++) {
      int offset = c;
      done.add(
          pool.submit(
              () -> {
                long texts = 0;
                for (int i = offset; System.nanoTime() < end; i++) {
                  encode.accept(batches.get(i % batches.size()));
                  texts += BATCH;
                }
                return texts;
              }));
    }
    long texts = 0;
    for (Future<Long> f : done) {
      texts += f.get();
    }
    pool.shutdown();
    return texts / ((System.nanoTime() - start) / 1e9);
  }
}
