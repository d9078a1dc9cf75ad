package dev.rlhfmesh.gateway.downstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.gateway.core.Tokenizer;
import dev.rlhfmesh.gateway.tokenize.ByteLevelTokenizerFiles;
import dev.rlhfmesh.gateway.tokenize.LocalTokenizer;
import dev.rlhfmesh.grpc.StatusMapping;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import io.grpc.Status;
import io.smallrye.mutiny.Uni;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The in-process tokenizer answers exactly as tokenizer-svc does for the same files: the gateway's
 * two {@link Tokenizer} implementations — {@link GrpcTokenizer} over real gRPC to the packaged
 * tokenizer-svc, and {@link LocalTokenizer} — give the same ids (Encode), texts (Decode, special
 * tokens skipped, broken UTF-8 included), chat prompt ids (ApplyChatTemplate) and the same
 * INVALID_ARGUMENT statuses, on (1) a hand-written byte-level BPE with merges and a custom chat
 * template using bos/eos, then (2) a tokenizer that tokenizer-svc itself trains (TrainTokenizer
 * with load_after_training, so the methods run in order).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalTokenizerParityTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  static final List<String> TEXTS =
      List.of(
          "",
          "The quick brown fox jumps over the lazy dog.",
          "the theory of the thermometer: 23+58=81",
          "Crème brûlée, naïve façade",
          "日本語のテキストと中文文本",
          "emoji 🙂👍🏽 family 👨‍👩‍👧",
          "   spaces   \t\ttabs\n\nnewlines\r\n",
          "control \u0000\u0001\u001b[31m \u007f\u0085\u2028",
          "specials in text: <|endoftext|> <|user|>hi<|end|>",
          "placeholders {role} {content} {generation} {bos}",
          // longer than LocalTokenizer's inline limit: tokenized on the worker
          "the answer is 42. ".repeat(600));

  static final List<List<ChatMessage>> CHATS =
      List.of(
          List.of(msg("user", "23+58=")),
          List.of(msg("system", "Be brief."), msg("user", "Hi ☃ 😀!"), msg("assistant", "Hello")),
          List.of(msg("user", "{role}{generation}<|end|>")),
          List.of(msg("user", "")));

  @TempDir static Path dir;
  static TokenizerSvcProcess svc;
  static GrpcTokenizer remote;
  static ExecutorService worker;

  @BeforeAll
  static void startTokenizerSvc() throws Exception {
    Path hand = dir.resolve("hand-written");
    ByteLevelTokenizerFiles.write(
        hand,
        List.of(
            new String[] {"Ġ", "t"},
            new String[] {"h", "e"},
            new String[] {"Ġt", "he"},
            new String[] {"e", "r"},
            new String[] {"Ġ", "a"},
            new String[] {"o", "r"}),
        "{\"bos_token\": \"<|endoftext|>\", \"eos_token\": {\"content\": \"<|end|>\"},"
            + " \"chat_template\": \"{bos}<|{role}|>\\n{content}{eos}\\n{generation}<|assistant|>\\n\"}");
    Files.createDirectories(Path.of("target"));
    svc = TokenizerSvcProcess.start(hand, Path.of("target", "parity-tokenizer-svc.log"));
    remote = new GrpcTokenizer();
    remote.channel = svc.channel();
    worker = Executors.newSingleThreadExecutor();
  }

  @AfterAll
  static void stop() throws Exception {
    if (svc != null) {
      svc.close();
    }
    if (worker != null) {
      worker.shutdownNow();
    }
  }

  @Test
  @Order(1)
  void handWrittenBpe_sameIdsTextsChatPromptsAndErrors() throws Exception {
    try (LocalTokenizer local = local(dir.resolve("hand-written"))) {
      // the merges are applied (" the" is one token), so this is more than a byte map
      int[] ids = await(local.encode(" the", TIMEOUT));
      assertEquals(1, ids.length, "merged ' the': " + java.util.Arrays.toString(ids));
      assertSameAnswers(local);
    }
  }

  @Test
  @Order(2)
  void tokenizerTrainedByTokenizerSvc_sameIdsTextsChatPromptsAndErrors() throws Exception {
    Path trained = dir.resolve("trained");
    List<String> corpus = new ArrayList<>(TEXTS);
    for (int i = 0; i < 50; i++) {
      corpus.add("the cat sat on the mat " + i + " while the other thermometer read " + (i * 7));
    }
    TokenizerServiceGrpc.newBlockingStub(svc.channel())
        .withDeadlineAfter(60, TimeUnit.SECONDS)
        .trainTokenizer(
            TrainTokenizerRequest.newBuilder()
                .addAllCorpusTexts(corpus)
                .setVocabSize(400)
                .setOutputDir(trained.toString())
                .setLoadAfterTraining(true)
                .build());
    try (LocalTokenizer local = local(trained)) {
      assertTrue(local.loaded().vocabSize() > 300, "trained with merges");
      assertSameAnswers(local);
    }
  }

  private static LocalTokenizer local(Path path) throws Exception {
    return new LocalTokenizer(LoadedTokenizer.load(path, path.toString()), worker);
  }

  private static void assertSameAnswers(LocalTokenizer local) {
    List<int[]> sequences = new ArrayList<>();
    // both read ids only; DJL's full Encoding (what Encode with offsets returns) is the reference
    List<LoadedTokenizer.Encoded> full = local.loaded().encode(TEXTS, false, true);
    for (int i = 0; i < TEXTS.size(); i++) {
      String text = TEXTS.get(i);
      int[] want = await(remote.encode(text, TIMEOUT));
      assertArrayEquals(want, await(local.encode(text, TIMEOUT)), "encode " + text);
      assertArrayEquals(full.get(i).ids(), want, "ids of the full encoding of " + text);
      sequences.add(want);
    }
    int eos = 256;
    int end = 260;
    sequences.add(new int[] {eos, 'h', 'i', end, 10}); // specials are skipped
    sequences.add(new int[] {0xE2, 0x98}); // two of the three bytes of ☃: U+FFFD
    sequences.add(new int[] {});
    assertEquals(await(remote.decode(sequences, TIMEOUT)), await(local.decode(sequences, TIMEOUT)));

    for (List<ChatMessage> chat : CHATS) {
      assertArrayEquals(
          await(remote.applyChatTemplate(chat, TIMEOUT)),
          await(local.applyChatTemplate(chat, TIMEOUT)),
          "chat " + chat);
    }

    int vocab = local.loaded().vocabSize();
    assertSameFailure(
        remote.decode(List.of(new int[] {1}, new int[] {2, vocab}), TIMEOUT),
        local.decode(List.of(new int[] {1}, new int[] {2, vocab}), TIMEOUT));
    assertSameFailure(
        remote.applyChatTemplate(List.of(msg("user", "a"), msg("robot", "b")), TIMEOUT),
        local.applyChatTemplate(List.of(msg("user", "a"), msg("robot", "b")), TIMEOUT));
  }

  /** Both fail, and the gateway's one mapper makes the same status of both. */
  private static void assertSameFailure(Uni<?> remoteCall, Uni<?> localCall) {
    Status want = StatusMapping.toStatus(failure(remoteCall));
    Status got = StatusMapping.toStatus(failure(localCall));
    assertEquals(Status.Code.INVALID_ARGUMENT, want.getCode(), want.toString());
    assertEquals(want.getCode(), got.getCode());
    assertEquals(want.getDescription(), got.getDescription());
  }

  private static Throwable failure(Uni<?> call) {
    return call.onItem()
        .transform(x -> (Throwable) new AssertionError("expected a failure, got " + x))
        .onFailure()
        .recoverWithItem(t -> t)
        .await()
        .atMost(TIMEOUT);
  }

  private static <T> T await(Uni<T> uni) {
    return uni.await().atMost(TIMEOUT);
  }

  private static ChatMessage msg(String role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }
}
