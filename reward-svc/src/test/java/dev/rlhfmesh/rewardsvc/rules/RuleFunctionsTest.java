package dev.rlhfmesh.rewardsvc.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.rewardsvc.core.Sample;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class RuleFunctionsTest {
  private static final String EOS = "<|endoftext|>";
  private final AnswerNormaliser normaliser = new AnswerNormaliser(EOS);

  private static Sample text(String response) {
    return Sample.ofResponseText(response);
  }

  private static Sample answer(String response, String reference) {
    return new Sample(null, null, null, response, reference, null);
  }

  @Test
  void normaliser_trimsCollapsesFoldsAndStripsEndTokenAndTrailingPunctuation() {
    assertEquals("81", normaliser.normalise(" 81.<|endoftext|>"));
    assertEquals("81", normaliser.normalise("81 !<|endoftext|><|endoftext|>"));
    assertEquals("hello world", normaliser.normalise("  Hello \n\t World?! "));
    assertEquals("-8.1", normaliser.normalise("-8.1"));
  }

  @Test
  void stripEndTokens_keepsAnEndTokenFollowedByText() {
    assertEquals("a<|endoftext|>b", AnswerNormaliser.stripEndTokens("a<|endoftext|>b", EOS));
    assertEquals("81", AnswerNormaliser.stripEndTokens("81<|endoftext|> ", EOS));
  }

  @Test
  void exactMatch_scoresOneOnNormalisedMatchAndZeroOtherwise() {
    ExactMatch f = new ExactMatch(normaliser, 1f, 0f);
    assertEquals(1f, f.score(answer("81<|endoftext|>", "81")));
    assertEquals(1f, f.score(answer("Paris.", "paris")));
    assertEquals(0f, f.score(answer("71<|endoftext|>", "81")));
    assertEquals(0f, f.score(answer("811", "81")));
  }

  @Test
  void exactMatch_rejectsAMissingReferenceNamingTheSample() {
    ExactMatch f = new ExactMatch(normaliser, 1f, 0f);
    ServiceException e = assertThrows(ServiceException.class, () -> f.check(3, text("81")));
    assertTrue(e.getMessage().contains("samples[3].reference_answer"), e.getMessage());
  }

  @Test
  void regexMatch_findsAnywhereOrMatchesWhole() {
    Pattern p = Pattern.compile("[0-9]+");
    assertEquals(1f, new RegexMatch(p, false, 1f, 0f).score(text("it is 81")));
    assertEquals(0f, new RegexMatch(p, true, 1f, 0f).score(text("it is 81")));
    assertEquals(1f, new RegexMatch(p, true, 1f, 0f).score(text("81")));
    assertEquals(-1f, new RegexMatch(p, false, 1f, -1f).score(text("none")));
  }

  @Test
  void lengthReward_penalisesDistanceFromTargetInTokensOrChars() {
    Sample s = new Sample(null, new int[] {8, 1, 12}, null, "81", null, null);
    assertEquals(0f, new LengthReward(LengthReward.Unit.TOKENS, OptionalInt.of(3), 0.5f).score(s));
    assertEquals(
        -1.5f, new LengthReward(LengthReward.Unit.TOKENS, OptionalInt.of(6), 0.5f).score(s));
    assertEquals(-1f, new LengthReward(LengthReward.Unit.CHARS, OptionalInt.of(3), 1f).score(s));
    assertEquals(-4f, new LengthReward(LengthReward.Unit.CHARS, OptionalInt.empty(), 2f).score(s));
  }

  @Test
  void formatCheck_namedFormatsAndWholePattern() {
    FormatCheck digits = FormatCheck.named("digits", 1f, 0f);
    assertEquals(1f, digits.score(text(" 81 ")));
    assertEquals(0f, digits.score(text("8 1")));
    assertEquals(0f, digits.score(text("-81")));
    assertEquals(1f, FormatCheck.named("integer", 1f, 0f).score(text("-81")));
    assertEquals(1f, FormatCheck.named("number", 1f, 0f).score(text("-8.1e3")));
    assertEquals(0f, FormatCheck.named("number", 1f, 0f).score(text("8.1.3")));
    FormatCheck yesNo = FormatCheck.wholeMatch(Pattern.compile("yes|no"), 1f, 0f);
    assertEquals(1f, yesNo.score(text("no")));
    assertEquals(0f, yesNo.score(text("no way")));
  }

  @Test
  void formatCheck_rejectsAnUnknownFormatName() {
    assertThrows(IllegalArgumentException.class, () -> FormatCheck.named("hex", 1f, 0f));
  }

  @Test
  void bannedStrings_countsDistinctHitsCaseInsensitively() {
    BannedStrings f = new BannedStrings(List.of("sorry", "As an AI"), false, 0.5f);
    assertEquals(0f, f.score(text("81")));
    assertEquals(-0.5f, f.score(text("Sorry, sorry, no")));
    assertEquals(-1f, f.score(text("as an ai I am sorry")));
    BannedStrings exact = new BannedStrings(List.of("Sorry"), true, 1f);
    assertEquals(0f, exact.score(text("sorry")));
  }
}
