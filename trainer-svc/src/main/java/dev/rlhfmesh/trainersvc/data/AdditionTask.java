package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The built-in task (DEMO-NOTES): two-digit addition, prompt {@code "23+58="}, response {@code
 * "81"} (the end token is added by the tokenizer's codec). The 8,100 pairs (a, b) in [10, 99]² are
 * split once, by seed, into held-out eval prompts and a training pool, so eval prompts never appear
 * in any stage's data. Every generator is seeded and deterministic.
 */
public final class AdditionTask {
  /** How much data to write. */
  public record Settings(
      long seed,
      int sftExamples,
      double wrongShare,
      int preferencePairs,
      double flipShare,
      int ppoPrompts,
      int evalPrompts) {
    public Settings {
      if (evalPrompts <= 0 || evalPrompts >= 8100 / 2) {
        throw new IllegalArgumentException("evalPrompts must be in (0, 4050): " + evalPrompts);
      }
      if (wrongShare < 0 || wrongShare > 1 || flipShare < 0 || flipShare > 1) {
        throw new IllegalArgumentException("shares must be in [0, 1]");
      }
    }

    /** The demo's sizes: 35% wrong demonstrations, 10% flipped labels, 900 eval prompts. */
    public static Settings demo(long seed) {
      return new Settings(seed, 20_000, 0.35, 20_000, 0.10, 4_000, 900);
    }
  }

  /** The files {@link #writeAll} writes. */
  public record Files(Path sft, Path preferences, Path prompts, Path eval) {}

  private static final Pattern PROMPT = Pattern.compile("\\s*(\\d+)\\s*\\+\\s*(\\d+)\\s*=\\s*");
  private static final int LO = 10;
  private static final int HI = 99;

  private final Settings settings;
  private final List<int[]> evalPool = new ArrayList<>();
  private final List<int[]> trainPool = new ArrayList<>();

  public AdditionTask(Settings settings) {
    this.settings = settings;
    int n = HI - LO + 1;
    int[] order = DataOrder.shuffled(n * n, Seeds.mix(settings.seed(), 0xADD, 0));
    for (int k = 0; k < order.length; k++) {
      int[] ab = {LO + order[k] / n, LO + order[k] % n};
      (k < settings.evalPrompts() ? evalPool : trainPool).add(ab);
    }
  }

  public static String prompt(int a, int b) {
    return a + "+" + b + "=";
  }

  /** The gold answer of a prompt {@code "a+b="}, or empty when it is not one. */
  public static OptionalInt answer(String prompt) {
    Matcher m = PROMPT.matcher(prompt);
    if (!m.matches()) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)));
  }

  /** Gold score: 1 when the response (whitespace trimmed) is exactly the sum, else 0. */
  public static double goldScore(String prompt, String response) {
    OptionalInt a = answer(prompt);
    return a.isPresent() && response.strip().equals(Integer.toString(a.getAsInt())) ? 1.0 : 0.0;
  }

  /** SFT rows {prompt, response}: a share {@code wrongShare} is off by 1–5 either way. */
  public List<ObjectNode> demonstrations() {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(settings.seed(), 0x5F7, 0));
    List<ObjectNode> rows = new ArrayList<>(settings.sftExamples());
    for (int i = 0; i < settings.sftExamples(); i++) {
      int[] ab = trainPool.get(rng.nextInt(trainPool.size()));
      int sum = ab[0] + ab[1];
      int answer = rng.nextDouble() < settings.wrongShare() ? wrong(sum, rng) : sum;
      ObjectNode row = Jsonl.object();
      row.put("prompt", prompt(ab[0], ab[1]));
      row.put("response", Integer.toString(answer));
      rows.add(row);
    }
    return rows;
  }

  /**
   * Preference rows {prompt, chosen, rejected} labelled by the gold rule, {@code flipShare}
   * flipped.
   */
  public List<ObjectNode> preferencePairs() {
    SplittableRandom rng = new SplittableRandom(Seeds.mix(settings.seed(), 0x9AE, 0));
    List<ObjectNode> rows = new ArrayList<>(settings.preferencePairs());
    for (int i = 0; i < settings.preferencePairs(); i++) {
      int[] ab = trainPool.get(rng.nextInt(trainPool.size()));
      int sum = ab[0] + ab[1];
      String good = Integer.toString(sum);
      String bad = Integer.toString(wrong(sum, rng));
      boolean flip = rng.nextDouble() < settings.flipShare();
      ObjectNode row = Jsonl.object();
      row.put("prompt", prompt(ab[0], ab[1]));
      row.put("chosen", flip ? bad : good);
      row.put("rejected", flip ? good : bad);
      rows.add(row);
    }
    return rows;
  }

  /** PPO rows {prompt, reference_answer} from the training pool. */
  public List<ObjectNode> ppoPrompts() {
    return promptRows(trainPool, settings.ppoPrompts(), 0x990);
  }

  /** Held-out rows {prompt, reference_answer}: disjoint from every training row. */
  public List<ObjectNode> evalPrompts() {
    return promptRows(evalPool, evalPool.size(), 0xE7A);
  }

  /** Writes sft.jsonl, preferences.jsonl, prompts.jsonl and eval.jsonl into {@code dir}. */
  public Files writeAll(Path dir) {
    Files f =
        new Files(
            dir.resolve("sft.jsonl"),
            dir.resolve("preferences.jsonl"),
            dir.resolve("prompts.jsonl"),
            dir.resolve("eval.jsonl"));
    Jsonl.write(f.sft(), demonstrations());
    Jsonl.write(f.preferences(), preferencePairs());
    Jsonl.write(f.prompts(), ppoPrompts());
    Jsonl.write(f.eval(), evalPrompts());
    return f;
  }

  private List<ObjectNode> promptRows(List<int[]> pool, int count, long stream) {
    int[] order = DataOrder.shuffled(pool.size(), Seeds.mix(settings.seed(), stream, 0));
    List<ObjectNode> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int[] ab = pool.get(order[i % pool.size()]);
      ObjectNode row = Jsonl.object();
      row.put("prompt", prompt(ab[0], ab[1]));
      row.put("reference_answer", Integer.toString(ab[0] + ab[1]));
      rows.add(row);
    }
    return rows;
  }

  /** The sum off by 1–5 in either direction (never negative, never the sum). */
  private static int wrong(int sum, SplittableRandom rng) {
    int delta = 1 + rng.nextInt(5);
    return rng.nextBoolean() ? sum + delta : sum - delta;
  }
}
