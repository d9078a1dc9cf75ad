package dev.rlhfmesh.rewardsvc.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.rewardsvc.rules.AnswerNormaliser;
import dev.rlhfmesh.rewardsvc.rules.ExactMatch;
import dev.rlhfmesh.rewardsvc.rules.LengthReward;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The engine with a character codec ('0'..'9' = ids 0..9, '#' = end token id 10) and a fake model.
 */
class RewardEngineTest {
  private static final String EOS = "#";
  private final List<String> codecCalls = new ArrayList<>();

  private final TextCodec codec =
      new TextCodec() {
        @Override
        public List<String> decode(List<int[]> sequences, CallContext context) {
          codecCalls.add("decode " + sequences.size());
          return sequences.stream()
              .map(
                  ids -> {
                    StringBuilder b = new StringBuilder();
                    for (int id : ids) {
                      b.append(id == 10 ? EOS : String.valueOf(id));
                    }
                    return b.toString();
                  })
              .toList();
        }

        @Override
        public List<int[]> encode(List<String> texts, CallContext context) {
          codecCalls.add("encode " + texts.size());
          return texts.stream()
              .map(t -> t.chars().map(c -> c == '#' ? 10 : c - '0').toArray())
              .toList();
        }

        @Override
        public int vocabSize(CallContext context) {
          return 11;
        }
      };

  /** Scores a sequence as the sum of its ids; vocabulary 11, at most 6 tokens. */
  private final ModelScorer sumModel =
      new ModelScorer() {
        @Override
        public CompletableFuture<List<Scored>> submit(List<int[]> sequences, CallContext c) {
          List<Scored> out = new ArrayList<>();
          for (int[] s : sequences) {
            int sum = 0;
            for (int id : s) {
              sum += id;
            }
            out.add(new Scored(sum, 7));
          }
          return CompletableFuture.completedFuture(out);
        }

        @Override
        public int vocabSize() {
          return 11;
        }

        @Override
        public int maxTokens() {
          return 6;
        }

        @Override
        public long version() {
          return 7;
        }

        @Override
        public String description() {
          return "sum of ids";
        }
      };

  private RewardEngine engine() {
    RewardSpec exact =
        new RewardSpec.Rule(
            "exact", "exact-match", new ExactMatch(new AnswerNormaliser(EOS), 1, 0));
    RewardSpec model = new RewardSpec.Model("sum", sumModel);
    RewardSpec length =
        new RewardSpec.Rule(
            "len", "length", new LengthReward(LengthReward.Unit.TOKENS, OptionalInt.of(3), 1f));
    CompositeReward both =
        new CompositeReward(
            "both",
            List.of(new CompositeReward.Part(model, 0.5f), new CompositeReward.Part(exact, 2f)),
            Optional.empty(),
            Optional.empty(),
            null);
    Map<String, RewardSpec> specs = new LinkedHashMap<>();
    for (RewardSpec s : List.of(exact, model, length, both)) {
      specs.put(s.name(), s);
    }
    return new RewardEngine(specs, codec, new Limits(8, 16, 100, EOS));
  }

  private static Sample ids(int[] prompt, int[] response, String reference) {
    return new Sample(prompt, response, null, null, reference, null);
  }

  @Test
  void score_decodesIdsForTextRulesAndStripsTheEndToken() {
    ScoreResult r =
        engine()
            .score(
                "exact",
                List.of(ids(null, new int[] {8, 1, 10}, "81"), ids(null, new int[] {7, 1}, "81")),
                CallContext.NONE);
    assertArrayEquals(new float[] {1f, 0f}, r.rewards());
    assertEquals(List.of("decode 2"), codecCalls);
    assertEquals(0, r.modelVersion());
  }

  @Test
  void score_encodesTextsForTheModelAndWeighsComposites() {
    Sample s = new Sample(null, null, "23", "5#", "5", null); // ids 2,3 + 5,10: sum 20
    ScoreResult r = engine().score("both", List.of(s), CallContext.NONE);
    // 0.5 * 20 + 2 * 1
    assertArrayEquals(new float[] {12f}, r.rewards());
    ScoreResult.Breakdown b = r.breakdowns().get(0);
    assertEquals(
        List.of(
            new ScoreResult.Component("sum", 20f, 0.5f),
            new ScoreResult.Component("exact", 1f, 2f)),
        b.components());
    assertEquals(12f, b.rawTotal());
    assertEquals(7, r.modelVersion());
    assertEquals(List.of("encode 2"), codecCalls);
  }

  @Test
  void score_unknownSpecIsNotFound() {
    ServiceException e =
        assertThrows(
            ServiceException.class,
            () ->
                engine().score("nope", List.of(ids(null, new int[] {1}, null)), CallContext.NONE));
    assertEquals(ErrorKind.NOT_FOUND, e.kind());
  }

  @Test
  void score_badSamplesAreInvalidArgumentsNamingFieldAndIndex() {
    RewardEngine engine = engine();
    Sample ok = ids(null, new int[] {1, 2}, "12");
    assertInvalid(engine, "len", List.of(ok, ids(null, null, null)), "samples[1].response");
    assertInvalid(
        engine,
        "sum",
        List.of(ok, ids(null, new int[] {1, 11}, null)),
        "samples[1].response.ids[1]");
    assertInvalid(
        engine,
        "exact",
        List.of(ok, ids(null, new int[] {1, -2}, "1")),
        "samples[1].response.ids[1]");
    assertInvalid(
        engine,
        "sum",
        List.of(ids(new int[] {1, 2, 3, 4}, new int[] {5, 6, 7}, null)),
        "samples[0].response.ids");
    assertInvalid(
        engine,
        "exact",
        List.of(ok, ok, ok, ids(null, new int[] {1}, null)),
        "samples[3].reference_answer");
    assertInvalid(engine, "len", List.of(ids(null, new int[17], null)), "samples[0].response.ids");
    assertEquals(List.of(), codecCalls, "nothing decoded before a bad shape was found");
  }

  private static void assertInvalid(
      RewardEngine engine, String spec, List<Sample> samples, String field) {
    ServiceException e =
        assertThrows(ServiceException.class, () -> engine.score(spec, samples, CallContext.NONE));
    assertEquals(ErrorKind.INVALID_ARGUMENT, e.kind(), e.getMessage());
    assertTrue(e.getMessage().contains("'" + field + "'"), e.getMessage());
  }
}
