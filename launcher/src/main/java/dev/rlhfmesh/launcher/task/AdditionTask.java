package dev.rlhfmesh.launcher.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The built-in task: two-digit addition with a known gold rule that the reward model never sees.
 *
 * <p>Prompt {@code 23+58=}, response {@code 81} (the trainer appends the end token). SFT
 * demonstrations are deliberately noisy (a share of answers off by a small amount), so SFT imitates
 * the noise when sampled; preference pairs are labelled by the gold rule with a share of labels
 * flipped, like imperfect raters; the held-out prompts are never used by any stage. All of it comes
 * from one seed.
 */
public final class AdditionTask {
  /** Every prompt of the task: a+b= with a, b in [10, 99]. */
  static final int LOW = 10;

  static final int HIGH = 99;

  private final long seed;
  private final double wrongDemoShare;
  private final double flippedLabelShare;
  private final int heldOut;

  public AdditionTask(long seed, double wrongDemoShare, double flippedLabelShare, int heldOut) {
    if (wrongDemoShare < 0 || wrongDemoShare >= 1) {
      throw new IllegalArgumentException("wrongDemoShare must be in [0, 1): " + wrongDemoShare);
    }
    if (flippedLabelShare < 0 || flippedLabelShare >= 0.5) {
      throw new IllegalArgumentException(
          "flippedLabelShare must be in [0, 0.5): " + flippedLabelShare);
    }
    this.seed = seed;
    this.wrongDemoShare = wrongDemoShare;
    this.flippedLabelShare = flippedLabelShare;
    this.heldOut = heldOut;
  }

  /** One prompt and its gold answer. */
  public record Problem(int a, int b) {
    public String prompt() {
      return a + "+" + b + "=";
    }

    public String answer() {
      return Integer.toString(a + b);
    }
  }

  /**
   * Where the generated files are: SFT demonstrations, training pairs (noisy labels), held-out
   * pairs (gold labels on the held-out prompts, for the reward model's accuracy), PPO prompts and
   * the held-out prompts with their answers.
   */
  public record TaskFiles(Path sft, Path pairs, Path pairEval, Path prompts, Path eval) {}

  /** The gold judgement: the response (before the end token, trimmed) is the exact sum. */
  public static boolean isCorrect(Problem p, String response) {
    return response.strip().equals(p.answer());
  }

  /** Parses {@code "23+58="} back into a problem. */
  public static Problem parse(String prompt) {
    int plus = prompt.indexOf('+');
    int eq = prompt.indexOf('=');
    return new Problem(
        Integer.parseInt(prompt.substring(0, plus)),
        Integer.parseInt(prompt.substring(plus + 1, eq)));
  }

  /** All problems in a seeded order; the first {@code heldOut} are the evaluation set. */
  List<Problem> shuffledProblems() {
    List<Problem> all = new ArrayList<>();
    for (int a = LOW; a <= HIGH; a++) {
      for (int b = LOW; b <= HIGH; b++) {
        all.add(new Problem(a, b));
      }
    }
    Collections.shuffle(all, new Random(seed));
    return all;
  }

  public List<Problem> evalProblems() {
    return shuffledProblems().subList(0, heldOut);
  }

  public List<Problem> trainProblems() {
    List<Problem> all = shuffledProblems();
    return all.subList(heldOut, all.size());
  }

  /**
   * A plausible wrong answer: off by a small random amount (1–5 either way), as in the reference
   * run (shared DEMO-NOTES). Carry slips (±10) are deliberately not among the raters' examples: a
   * reward model that never saw them has a blind spot there, which is where a policy can hack it —
   * the report measures that ("wrong answer scored above the correct one", most common error).
   */
  static int wrongAnswer(Problem p, Random rnd) {
    int sum = p.a() + p.b();
    int delta = (1 + rnd.nextInt(5)) * (rnd.nextBoolean() ? 1 : -1);
    return sum + delta;
  }

  /**
   * Writes sft.jsonl, pairs.jsonl, pair_eval.jsonl, prompts.jsonl and eval.jsonl into {@code dir}.
   */
  public TaskFiles write(Path dir, int sftCount, int pairCount) throws IOException {
    Files.createDirectories(dir);
    ObjectMapper json = new ObjectMapper();
    Random rnd = new Random(seed * 31 + 7);
    List<Problem> train = trainProblems();
    Path sft = dir.resolve("sft.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(sft, StandardCharsets.UTF_8)) {
      for (int i = 0; i < sftCount; i++) {
        Problem p = train.get(rnd.nextInt(train.size()));
        boolean wrong = rnd.nextDouble() < wrongDemoShare;
        String response = wrong ? Integer.toString(wrongAnswer(p, rnd)) : p.answer();
        ObjectNode o = json.createObjectNode().put("prompt", p.prompt()).put("response", response);
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
    Path pairs = dir.resolve("pairs.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(pairs, StandardCharsets.UTF_8)) {
      for (int i = 0; i < pairCount; i++) {
        Problem p = train.get(rnd.nextInt(train.size()));
        String good = p.answer();
        String bad = Integer.toString(wrongAnswer(p, rnd));
        boolean flip = rnd.nextDouble() < flippedLabelShare;
        ObjectNode o =
            json.createObjectNode()
                .put("prompt", p.prompt())
                .put("chosen", flip ? bad : good)
                .put("rejected", flip ? good : bad);
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
    Path pairEval = dir.resolve("pair_eval.jsonl");
    try (BufferedWriter w = Files.newBufferedWriter(pairEval, StandardCharsets.UTF_8)) {
      for (Problem p : evalProblems()) {
        ObjectNode o =
            json.createObjectNode()
                .put("prompt", p.prompt())
                .put("chosen", p.answer())
                .put("rejected", Integer.toString(wrongAnswer(p, rnd)));
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
    Path prompts = dir.resolve("prompts.jsonl");
    writeProblems(json, prompts, train);
    Path eval = dir.resolve("eval.jsonl");
    writeProblems(json, eval, evalProblems());
    return new TaskFiles(sft, pairs, pairEval, prompts, eval);
  }

  private static void writeProblems(ObjectMapper json, Path file, List<Problem> problems)
      throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Problem p : problems) {
        ObjectNode o =
            json.createObjectNode().put("prompt", p.prompt()).put("reference_answer", p.answer());
        w.write(json.writeValueAsString(o));
        w.newLine();
      }
    }
  }
}
