package dev.rlhfmesh.launcher.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdditionTaskTest {
  private final ObjectMapper json = new ObjectMapper();

  @Test
  void heldOut_neverAppearsInAnyTrainingFile(@TempDir Path dir) throws Exception {
    AdditionTask task = new AdditionTask(7, 0.35, 0.1, 900);
    AdditionTask.TaskFiles f = task.write(dir, 3000, 3000);
    Set<String> held = new HashSet<>();
    task.evalProblems().forEach(p -> held.add(p.prompt()));
    assertEquals(900, held.size());
    for (Path p : List.of(f.sft(), f.pairs(), f.prompts())) {
      for (String line : Files.readAllLines(p)) {
        String prompt = json.readTree(line).get("prompt").asText();
        assertFalse(held.contains(prompt), p + " leaks held-out prompt " + prompt);
      }
    }
  }

  @Test
  void sft_hasTheConfiguredShareOfWrongAnswers(@TempDir Path dir) throws Exception {
    AdditionTask.TaskFiles f = new AdditionTask(3, 0.35, 0.1, 100).write(dir, 10000, 10);
    int wrong = 0;
    List<String> lines = Files.readAllLines(f.sft());
    for (String line : lines) {
      JsonNode o = json.readTree(line);
      if (!AdditionTask.isCorrect(
          AdditionTask.parse(o.get("prompt").asText()), o.get("response").asText())) {
        wrong++;
      }
    }
    double share = wrong / (double) lines.size();
    assertTrue(Math.abs(share - 0.35) < 0.02, "wrong share " + share);
  }

  @Test
  void pairs_areLabelledByTheGoldRuleWithFlippedShare(@TempDir Path dir) throws Exception {
    AdditionTask.TaskFiles f = new AdditionTask(5, 0.35, 0.1, 100).write(dir, 10, 10000);
    int flipped = 0;
    List<String> lines = Files.readAllLines(f.pairs());
    for (String line : lines) {
      JsonNode o = json.readTree(line);
      AdditionTask.Problem p = AdditionTask.parse(o.get("prompt").asText());
      boolean chosenOk = AdditionTask.isCorrect(p, o.get("chosen").asText());
      boolean rejectedOk = AdditionTask.isCorrect(p, o.get("rejected").asText());
      assertTrue(chosenOk ^ rejectedOk, "exactly one side is correct: " + line);
      flipped += rejectedOk ? 1 : 0;
    }
    double share = flipped / (double) lines.size();
    assertTrue(Math.abs(share - 0.10) < 0.015, "flipped share " + share);
  }

  @Test
  void pairEval_coversEveryHeldOutPromptWithGoldLabels(@TempDir Path dir) throws Exception {
    AdditionTask task = new AdditionTask(9, 0.35, 0.1, 300);
    AdditionTask.TaskFiles f = task.write(dir, 10, 10);
    Set<String> held = new HashSet<>();
    task.evalProblems().forEach(p -> held.add(p.prompt()));
    Set<String> seen = new HashSet<>();
    for (String line : Files.readAllLines(f.pairEval())) {
      JsonNode o = json.readTree(line);
      AdditionTask.Problem p = AdditionTask.parse(o.get("prompt").asText());
      assertTrue(AdditionTask.isCorrect(p, o.get("chosen").asText()), "gold label: " + line);
      assertFalse(AdditionTask.isCorrect(p, o.get("rejected").asText()), "gold label: " + line);
      seen.add(p.prompt());
    }
    assertEquals(held, seen, "one pair per held-out prompt");
  }

  @Test
  void sameSeed_sameFiles(@TempDir Path dir) throws Exception {
    AdditionTask.TaskFiles a =
        new AdditionTask(11, 0.35, 0.1, 50).write(dir.resolve("a"), 500, 500);
    AdditionTask.TaskFiles b =
        new AdditionTask(11, 0.35, 0.1, 50).write(dir.resolve("b"), 500, 500);
    assertEquals(Files.readString(a.sft()), Files.readString(b.sft()));
    assertEquals(Files.readString(a.pairs()), Files.readString(b.pairs()));
  }
}
