package dev.rlhfmesh.launcher.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.launcher.task.AdditionTask.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyPairsTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void rate_pairsEachDistinctWrongAnswerWithARightOne() {
    List<Problem> problems = List.of(new Problem(23, 58), new Problem(45, 45), new Problem(10, 10));
    List<List<String>> answers =
        List.of(
            List.of(
                "81", "91", "91", "79", ""), // two distinct wrong answers; the blank is no answer
            List.of("80", "100"), // never right: the raters have nothing to prefer
            List.of("20", "20")); // never wrong: no pair
    List<PolicyPairs.Pair> pairs = PolicyPairs.rate(problems, answers, 0.0, 1);
    assertEquals(
        List.of(
            new PolicyPairs.Pair("23+58=", "81", "91"), new PolicyPairs.Pair("23+58=", "81", "79")),
        pairs);
  }

  @Test
  void rate_flipsTheConfiguredShareOfLabels() {
    List<Problem> problems = new ArrayList<>();
    List<List<String>> answers = new ArrayList<>();
    for (int a = 10; a <= 99; a++) {
      for (int b = 10; b <= 99; b++) {
        Problem p = new Problem(a, b);
        problems.add(p);
        answers.add(List.of(p.answer(), Integer.toString(a + b + 10)));
      }
    }
    List<PolicyPairs.Pair> pairs = PolicyPairs.rate(problems, answers, 0.1, 3);
    assertEquals(problems.size(), pairs.size());
    long flipped =
        pairs.stream()
            .filter(p -> !AdditionTask.isCorrect(AdditionTask.parse(p.prompt()), p.chosen()))
            .count();
    double share = flipped / (double) pairs.size();
    assertTrue(Math.abs(share - 0.10) < 0.015, "flipped share " + share);
  }

  @Test
  void writeMixed_takesTheShareFromThePolicyAndTheRestFromTheWrittenPairs(@TempDir Path dir)
      throws Exception {
    AdditionTask.TaskFiles f = new AdditionTask(5, 0.35, 0.0, 100).write(dir, 10, 1000);
    List<PolicyPairs.Pair> policy =
        List.of(
            new PolicyPairs.Pair("23+58=", "81", "91"), new PolicyPairs.Pair("45+45=", "90", "80"));
    Path out = dir.resolve("mixed.jsonl");
    int fromPolicy = PolicyPairs.writeMixed(f.pairs(), policy, 0.25, 800, 7, out);
    assertEquals(200, fromPolicy);
    List<String> lines = Files.readAllLines(out);
    assertEquals(800, lines.size());
    List<String> written = Files.readAllLines(f.pairs());
    assertEquals(written.subList(0, 600), lines.subList(0, 600));
    Set<String> seen = new HashSet<>();
    for (String line : lines.subList(600, 800)) {
      JsonNode o = json.readTree(line);
      seen.add(o.get("prompt").asText() + o.get("chosen").asText() + o.get("rejected").asText());
    }
    assertEquals(Set.of("23+58=8191", "45+45=9080"), seen, "cycles through every policy pair");
  }

  @Test
  void writeMixed_withoutPolicyPairs_isAllWrittenPairs(@TempDir Path dir) throws Exception {
    AdditionTask.TaskFiles f = new AdditionTask(5, 0.35, 0.0, 100).write(dir, 10, 100);
    Path out = dir.resolve("mixed.jsonl");
    assertEquals(0, PolicyPairs.writeMixed(f.pairs(), List.of(), 0.5, 100, 7, out));
    assertEquals(Files.readAllLines(f.pairs()), Files.readAllLines(out));
    assertThrows(
        java.io.IOException.class,
        () -> PolicyPairs.writeMixed(f.pairs(), List.of(), 0.5, 101, 7, out),
        "asking for more written pairs than the file has");
  }
}
