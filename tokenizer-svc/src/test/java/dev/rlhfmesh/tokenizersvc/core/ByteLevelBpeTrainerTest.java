package dev.rlhfmesh.tokenizersvc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.model.tokenizer.SpecialTokens;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trains on a generated corpus, writes tokenizer.json, reloads it through DJL. */
class ByteLevelBpeTrainerTest {
  static final List<String> HARD_TEXTS =
      List.of(
          "",
          "23+58=81",
          "Hello, world! The assistant answers.",
          "Crème brûlée, naïve façade, Ærøskøbing",
          "日本語のテキストと中文文本",
          "emoji 🙂👍🏽 family 👨‍👩‍👧 flag 🇫🇷",
          "   leading and trailing spaces   ",
          "tabs\tand\nnewlines\r\n\n\n  mixed \t\n",
          "control \u0000\u0001\u0007\u001b[31m chars \u007f\u0085\u00a0\u2028",
          "<|endoftext|> and <|user|> inline",
          "x".repeat(3000) + " 12345678901234567890");

  static LoadedTokenizer tokenizer;
  static BpeModel model;
  @TempDir static Path dir;

  static List<String> generatedCorpus() {
    Random rng = new Random(7);
    String[] words = {"the", "answer", "is", "model", "reward", "token", "hello", "über", "数字"};
    List<String> docs = new java.util.ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      int a = rng.nextInt(100);
      int b = rng.nextInt(100);
      docs.add(a + "+" + b + "=" + (a + b));
      docs.add(words[rng.nextInt(words.length)] + " " + words[rng.nextInt(words.length)] + ".");
    }
    return docs;
  }

  @BeforeAll
  static void train() throws Exception {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    generatedCorpus().forEach(trainer::add);
    model =
        trainer.train(new ByteLevelBpeTrainer.Options(400, 2, List.of("<|tool|>")), () -> false);
    TokenizerJsonWriter.write(model, dir, ChatTemplate.DEFAULT);
    tokenizer = LoadedTokenizer.load(dir, "test");
  }

  @Test
  void train_reservesBytesThenSpecialTokensThenMerges() {
    assertEquals(400, model.vocabSize());
    assertEquals(400 - 256 - 6, model.merges().size());
    assertEquals(256, model.vocab().get(SpecialTokens.END_OF_TEXT));
    assertEquals(260, model.vocab().get(SpecialTokens.END_OF_MESSAGE));
    assertEquals(261, model.vocab().get("<|tool|>"));
    assertEquals(0, model.vocab().get(String.valueOf(ByteLevelAlphabet.symbol(0))));
    assertEquals(400, tokenizer.vocabSize());
    assertEquals(6, tokenizer.specialTokens().size());
    assertEquals(256, tokenizer.eosId());
  }

  @Test
  void reloadedTokenizer_roundTripsAnyUtf8Exactly() {
    List<LoadedTokenizer.Encoded> encoded = tokenizer.encode(HARD_TEXTS, false, false);
    for (int i = 0; i < HARD_TEXTS.size(); i++) {
      String text = HARD_TEXTS.get(i);
      assertEquals(text, tokenizer.decode(encoded.get(i).ids(), false), "text " + i);
    }
  }

  @Test
  void reloadedTokenizer_doesNotTruncateLongTexts() {
    String text = "the answer is 42. ".repeat(2000);
    int[] ids = tokenizer.encode(List.of(text), false, false).get(0).ids();
    assertTrue(ids.length > 2000, "ids: " + ids.length);
    assertEquals(text, tokenizer.decode(ids, false));
  }

  @Test
  void merges_compress_fewerIdsThanBytes() {
    String text = "the answer is 23+58=81. hello model";
    int[] ids = tokenizer.encode(List.of(text), false, false).get(0).ids();
    assertTrue(ids.length < text.getBytes(StandardCharsets.UTF_8).length / 2, "ids " + ids.length);
    assertTrue(model.bytesPerToken() > 2.0, "bytes/token " + model.bytesPerToken());
  }

  @Test
  void specialTokens_encodeAsOneIdAndCanBeSkippedOnDecode() {
    int[] ids = tokenizer.encode(List.of("<|user|>hi<|end|>"), false, false).get(0).ids();
    assertEquals(258, ids[0]);
    assertEquals(260, ids[ids.length - 1]);
    assertEquals("hi", tokenizer.decode(ids, true));
  }

  @Test
  void offsets_areUtf16IndicesOfTheInput() {
    String text = "a🙂 über";
    LoadedTokenizer.Encoded e = tokenizer.encode(List.of(text), false, true).get(0);
    assertEquals(0, e.starts()[0]);
    assertEquals(text.length(), e.ends()[e.ends().length - 1]);
    // "über" is the last word; its tokens end where the text ends and start after the emoji.
    assertTrue(e.starts()[e.starts().length - 1] >= text.indexOf(" über"));
  }

  @Test
  void train_isDeterministic() {
    ByteLevelBpeTrainer again = new ByteLevelBpeTrainer();
    generatedCorpus().forEach(again::add);
    BpeModel second =
        again.train(new ByteLevelBpeTrainer.Options(400, 2, List.of("<|tool|>")), () -> false);
    assertEquals(model.vocab(), second.vocab());
  }

  @Test
  void train_rejectsVocabBelowBytesPlusSpecials() {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    trainer.add("abc");
    ServiceException e =
        assertThrows(
            ServiceException.class,
            () -> trainer.train(new ByteLevelBpeTrainer.Options(260, 2, List.of()), () -> false));
    assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind());
    assertTrue(e.getMessage().contains("vocab_size"), e.getMessage());
  }

  @Test
  void train_stopsWhenCancelled() {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    generatedCorpus().forEach(trainer::add);
    int[] polls = {0};
    ServiceException e =
        assertThrows(
            ServiceException.class,
            () ->
                trainer.train(
                    new ByteLevelBpeTrainer.Options(400, 2, List.of()), () -> ++polls[0] > 3));
    assertEquals(ErrorKind.CANCELLED, e.kind());
    assertEquals(4, polls[0]);
  }

  @Test
  void train_stopsEarlyWhenNoPairIsFrequentEnough() {
    ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
    trainer.add("abab");
    BpeModel small = trainer.train(new ByteLevelBpeTrainer.Options(300, 2, List.of()), () -> false);
    // "ab" occurs twice, then "abab" once (below min frequency 2).
    assertEquals(1, small.merges().size());
    assertArrayEquals(new String[] {"a", "b"}, small.merges().get(0));
    assertEquals(2.0, small.bytesPerToken());
  }

  @Test
  void applyMerge_replacesNonOverlappingPairsLeftToRight() {
    assertArrayEquals(
        new int[] {9, 9, 1}, ByteLevelBpeTrainer.applyMerge(new int[] {1, 1, 1, 1, 1}, 1, 1, 9));
  }

  @Test
  void alphabet_mapsEveryByteToOnePrintableSymbolAndBack() {
    java.util.Set<Character> seen = new java.util.HashSet<>();
    for (int b = 0; b < 256; b++) {
      char c = ByteLevelAlphabet.symbol(b);
      assertTrue(seen.add(c));
      assertTrue(!Character.isWhitespace(c) && !Character.isISOControl(c), "byte " + b);
    }
    assertEquals('Ġ', ByteLevelAlphabet.symbol(' '));
    assertEquals("é 🙂", ByteLevelAlphabet.decode(ByteLevelAlphabet.encode("é 🙂")));
  }

  @Test
  void writtenFiles_areTheHuggingFaceLayout() throws Exception {
    String json = Files.readString(dir.resolve("tokenizer.json"));
    assertTrue(json.contains("\"type\": \"BPE\""));
    assertTrue(json.contains("\"merges\": ["));
    assertTrue(json.contains("\"add_prefix_space\": false"));
    assertTrue(Files.readString(dir.resolve("tokenizer_config.json")).contains("chat_template"));
  }
}
