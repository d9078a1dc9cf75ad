package dev.rlhfmesh.rewardsvc.rules;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The normalisation exact-match rules apply to both the response and the reference answer, in this
 * order:
 *
 * <ol>
 *   <li>strip trailing end tokens (e.g. {@code <|endoftext|>}, repeated, with whitespace around);
 *   <li>trim, and collapse every run of whitespace to one space;
 *   <li>case-fold ({@code toLowerCase(Locale.ROOT)});
 *   <li>strip trailing punctuation {@code . , ; : ! ?} (repeated), then trim again.
 * </ol>
 *
 * So {@code " 81.<|endoftext|>"}, {@code "81"} and {@code "81 !"} all normalise to {@code "81"};
 * inner punctuation and leading signs are kept ({@code "-8.1"} stays {@code "-8.1"}).
 */
public final class AnswerNormaliser {
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");
  private static final String TRAILING_PUNCTUATION = ".,;:!?";
  private final String endToken;

  /**
   * @param endToken the end-of-sequence text to strip from the end, or empty for none
   */
  public AnswerNormaliser(String endToken) {
    this.endToken = endToken == null ? "" : endToken;
  }

  public String normalise(String text) {
    String s = stripEndTokens(text, endToken);
    s = WHITESPACE.matcher(s.strip()).replaceAll(" ");
    s = s.toLowerCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && TRAILING_PUNCTUATION.indexOf(s.charAt(end - 1)) >= 0) {
      end--;
    }
    return s.substring(0, end).strip();
  }

  /**
   * Removes trailing end tokens (and the whitespace around them): {@code "81<|endoftext|>"} →
   * {@code "81"}. Text after an end token that is followed by other text is kept as it is.
   */
  public static String stripEndTokens(String text, String endToken) {
    if (text == null) {
      return null;
    }
    String s = text;
    if (endToken == null || endToken.isEmpty()) {
      return s;
    }
    while (true) {
      String t = s.stripTrailing();
      if (!t.endsWith(endToken)) {
        return s;
      }
      s = t.substring(0, t.length() - endToken.length());
    }
  }
}
