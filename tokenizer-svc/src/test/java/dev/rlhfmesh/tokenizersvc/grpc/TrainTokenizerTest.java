package dev.rlhfmesh.tokenizersvc.grpc;

import static dev.rlhfmesh.tokenizersvc.grpc.TokenizerServiceTest.assertInvalid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceBlockingStub;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerResponse;
import dev.rlhfmesh.tokenizersvc.runtime.ActiveTokenizer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** TrainTokenizer over real gRPC: files written, served after training, bad requests rejected. */
@QuarkusTest
class TrainTokenizerTest {
  @GrpcClient("self")
  TokenizerServiceBlockingStub tokenizer;

  @Inject ActiveTokenizer active;

  static List<String> corpus() {
    List<String> docs = new ArrayList<>();
    for (int a = 0; a < 60; a++) {
      docs.add(a + "+" + (a * 7 % 50) + "=" + (a + a * 7 % 50) + " the reward model says yes");
    }
    return docs;
  }

  static Path tempDir() throws Exception {
    Path base = Path.of("target", "train-test");
    Files.createDirectories(base);
    return Files.createTempDirectory(base, "out");
  }

  @Test
  void trainTokenizer_writesTokenizerJsonAndServesItWhenAsked() throws Exception {
    Path out = tempDir();
    Path corpusFile = out.resolve("corpus.txt");
    Files.write(corpusFile, List.of("extra line from a file 🙂", "another one"));
    LoadedTokenizer before = active.get();
    try {
      TrainTokenizerResponse r =
          tokenizer.trainTokenizer(
              TrainTokenizerRequest.newBuilder()
                  .addAllCorpusTexts(corpus())
                  .addCorpusFiles(corpusFile.toString())
                  .setVocabSize(320)
                  .addSpecialTokens("<|tool|>")
                  .setOutputDir(out.resolve("tok").toString())
                  .setLoadAfterTraining(true)
                  .build());
      assertTrue(Files.isRegularFile(Path.of(r.getTokenizerPath())));
      assertEquals(320, r.getVocabSize());
      assertEquals(320 - 256 - 6, r.getMerges());
      assertTrue(r.getBytesPerToken() > 1.5, "bytes/token " + r.getBytesPerToken());
      GetTokenizerInfoResponse info =
          tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
      assertEquals(320, info.getVocabSize());
      assertEquals("<|tool|>", info.getSpecialTokens(5).getContent());
      assertEquals(261, info.getSpecialTokens(5).getId());
      assertTrue(info.getSource().contains("TrainTokenizer"), info.getSource());
      int ids =
          tokenizer
              .encode(EncodeRequest.newBuilder().addTexts("<|tool|>the reward").build())
              .getSequences(0)
              .getIdsCount();
      assertTrue(ids <= 4, "ids " + ids);
    } finally {
      active.replace(before);
    }
  }

  @Test
  void trainTokenizer_withoutLoading_keepsServingTheOldTokenizer() throws Exception {
    int vocab =
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance()).getVocabSize();
    tokenizer.trainTokenizer(
        TrainTokenizerRequest.newBuilder()
            .addAllCorpusTexts(corpus())
            .setVocabSize(300)
            .setOutputDir(tempDir().toString())
            .build());
    assertEquals(
        vocab,
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance()).getVocabSize());
  }

  /** Random 7-letter words: many distinct pairs, so thousands of merges take a while. */
  static List<String> slowCorpus() {
    java.util.Random rng = new java.util.Random(1);
    List<String> docs = new ArrayList<>();
    for (int d = 0; d < 2000; d++) {
      StringBuilder sb = new StringBuilder();
      for (int w = 0; w < 80; w++) { // 160k distinct words: minutes of merging on 2 cores
        sb.append(' ');
        for (int k = 0; k < 7; k++) {
          sb.append((char) ('a' + rng.nextInt(26)));
        }
      }
      docs.add(sb.toString());
    }
    return docs;
  }

  @Test
  void trainTokenizer_stopsBetweenMergeRoundsWhenTheCallerGivesUp() throws Exception {
    Path dir = tempDir();
    CompletableFuture<String> stopped = new CompletableFuture<>();
    Handler watch =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            String msg = r.getMessage();
            if (msg != null && msg.contains("stopped") && msg.contains(dir.toString())) {
              stopped.complete(msg);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    java.util.logging.Logger log =
        java.util.logging.Logger.getLogger(TokenizerGrpcService.class.getName());
    log.addHandler(watch);
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () ->
                  tokenizer
                      .withDeadlineAfter(500, TimeUnit.MILLISECONDS)
                      .trainTokenizer(
                          TrainTokenizerRequest.newBuilder()
                              .addAllCorpusTexts(slowCorpus())
                              .setVocabSize(20000)
                              .setMinFrequency(1)
                              .setOutputDir(dir.toString())
                              .build()));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
      // Uncancelled, this job runs for minutes; the server logs when it stops on cancellation.
      assertTrue(stopped.get(60, TimeUnit.SECONDS).contains("cancelled"));
      assertFalse(Files.exists(dir.resolve("tokenizer.json")));
    } finally {
      log.removeHandler(watch);
    }
  }

  @Test
  void trainTokenizer_rejectsBadRequestsNamingTheField() throws Exception {
    String dir = tempDir().toString();
    assertInvalid(
        "vocab_size",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder()
                    .addAllCorpusTexts(corpus())
                    .setVocabSize(260)
                    .setOutputDir(dir)
                    .build()));
    assertInvalid(
        "corpus_texts",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder().setVocabSize(300).setOutputDir(dir).build()));
    assertInvalid(
        "corpus_texts",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder()
                    .addCorpusTexts("")
                    .setVocabSize(300)
                    .setOutputDir(dir)
                    .build()));
    assertInvalid(
        "corpus_files[0]",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder()
                    .addCorpusFiles(dir + "/missing.txt")
                    .setVocabSize(300)
                    .setOutputDir(dir)
                    .build()));
    Path aFile = Files.writeString(Path.of(dir, "plain-file"), "x");
    assertInvalid(
        "output_dir",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder()
                    .addAllCorpusTexts(corpus())
                    .setVocabSize(300)
                    .setOutputDir(aFile.resolve("sub").toString())
                    .build()));
    assertInvalid(
        "special_tokens[0]",
        () ->
            tokenizer.trainTokenizer(
                TrainTokenizerRequest.newBuilder()
                    .addAllCorpusTexts(corpus())
                    .addSpecialTokens("<|user|>")
                    .setVocabSize(300)
                    .setOutputDir(dir)
                    .build()));
  }
}
