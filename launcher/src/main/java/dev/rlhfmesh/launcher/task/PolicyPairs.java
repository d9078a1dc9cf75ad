package dev.rlhfmesh.launcher.task;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.launcher.task.AdditionTask.Problem;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Preference pairs the way RLHF raters make them: two of the SFT policy's own answers to one
 * prompt, one right and one wrong, labelled by the gold rule with a share of labels flipped.
 *
 * <p>The written pairs (a wrong answer a few units off) only teach the reward model to check the
 * last digit; the policy's own mistakes include carry slips (off by exactly ±10), which a reward
 * model that never saw them scores as right — and PPO then drifts onto them. Pairs made from the
 * policy's samples put its real mistakes in front of the reward model.
 */
public final class PolicyPairs {
  /** One comparison as the raters labelled it. */
  public record Pair(String prompt, String chosen, String rejected) {}

  private PolicyPairs() {}

  /**
   * Pairs every distinct wrong, non-empty answer of a prompt with a right answer the policy gave to
   * the same prompt; prompts the policy never answered right give no pair.
   *
   * @param answers per problem, the policy's sampled answers (end token removed)
   */
  public static List<Pair> rate(
      List<Problem> problems, List<List<String>> answers, double flippedShare, long seed) {
    if (problems.size() != answers.size()) {
      throw new IllegalArgumentException(
          problems.size() + " problems but answers for " + answers.size());
    }
    Random rnd = new Random(seed * 131 + 17);
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      Problem p = problems.get(i);
      String right = null;
      Set<String> wrong = new LinkedHashSet<>();
      for (String a : answers.get(i)) {
        String answer = a.strip();
        if (AdditionTask.isCorrect(p, answer)) {
          right = answer;
        } else if (!answer.isEmpty()) {
          wrong.add(answer);
        }
      }
      if (right == null) {
        continue;
      }
      for (String w : wrong) {
        boolean flip = rnd.nextDouble() < flippedShare;
        pairs.add(new Pair(p.prompt(), flip ? w : right, flip ? right : w));
      }
    }
    return pairs;
  }

  /**
   * Writes {@code total} training pairs to {@code out}: a {@code share} of them cycled through the
   * policy's pairs (in a seeded order), the rest the first lines of the written pairs. With no
   * policy pairs every line comes from the written ones.
   *
   * @return how many lines came from the policy's pairs
   */
  public static int writeMixed(
      Path writtenPairs, List<Pair> policyPairs, double share, int total, long seed, Path out)
      throws IOException {
    if (share < 0 || share > 1) {
      throw new IllegalArgumentException("share must be in [0, 1]: " + share);
    }
    int fromPolicy = policyPairs.isEmpty() ? 0 : (int) Math.round(total * share);
    List<Pair> order = new ArrayList<>(policyPairs);
    Collections.shuffle(order, new Random(seed * 733 + 5));
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader written = Files.newBufferedReader(writtenPairs, StandardCharsets.UTF_8);
        BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (int i = 0; i < total - fromPolicy; i++) {
        String line = written.readLine();
        if (line == null) {
          throw new IOException(
              writtenPairs + " has " + i + " pairs, " + (total - fromPolicy) + " needed");
        }
        w.write(line);
        w.newLine();
      }
      for (int i = 0; i < fromPolicy; i++) {
        Pair p = order.get(i % order.size());
        w.write(
            json.writeValueAsString(
                json.createObjectNode()
                    .put("prompt", p.prompt())
                    .put("chosen", p.chosen())
                    .put("rejected", p.rejected())));
        w.newLine();
      }
    }
    return fromPolicy;
  }
}
