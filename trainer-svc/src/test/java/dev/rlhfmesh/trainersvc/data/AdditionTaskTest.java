package dev.rlhfmesh.trainersvc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdditionTaskTest {
  @TempDir Path dir;

  private static final AdditionTask.Settings SMALL =
      new AdditionTask.Settings(7, 4000, 0.35, 4000, 0.10, 1000, 300);

  @Test
  void goldScore_isExactMatchOfTheSum() {
    assertEquals(1.0, AdditionTask.goldScore("23+58=", "81"));
    assertEquals(1.0, AdditionTask.goldScore("23+58=", " 81 "));
    assertEquals(0.0, AdditionTask.goldScore("23+58=", "71"));
    assertEquals(0.0, AdditionTask.goldScore("23+58=", "81x"));
    assertEquals(0.0, AdditionTask.goldScore("hello", "81"));
  }

  @Test
  void evalPrompts_areDisjointFromEveryTrainingRow() {
    AdditionTask task = new AdditionTask(SMALL);
    Set<String> eval = new HashSet<>();
    task.evalPrompts().forEach(r -> eval.add(r.get("prompt").asText()));
    assertEquals(300, eval.size());
    for (List<ObjectNode> rows :
        List.of(task.demonstrations(), task.preferencePairs(), task.ppoPrompts())) {
      rows.forEach(r -> assertTrue(!eval.contains(r.get("prompt").asText()), r.toString()));
    }
  }

  @Test
  void demonstrations_areWrongAtTheConfiguredShareBySmallAmounts() {
    List<ObjectNode> rows = new AdditionTask(SMALL).demonstrations();
    int wrong = 0;
    for (JsonNode r : rows) {
      int sum = AdditionTask.answer(r.get("prompt").asText()).getAsInt();
      int got = Integer.parseInt(r.get("response").asText());
      if (got != sum) {
        wrong++;
        assertTrue(Math.abs(got - sum) <= 5, r.toString());
      }
    }
    assertEquals(0.35, wrong / (double) rows.size(), 0.03);
  }

  @Test
  void preferencePairs_followTheGoldRuleExceptTheFlippedShare() {
    List<ObjectNode> rows = new AdditionTask(SMALL).preferencePairs();
    int flipped = 0;
    for (JsonNode r : rows) {
      String p = r.get("prompt").asText();
      double c = AdditionTask.goldScore(p, r.get("chosen").asText());
      double x = AdditionTask.goldScore(p, r.get("rejected").asText());
      assertEquals(1.0, c + x, "exactly one side is right");
      flipped += c < x ? 1 : 0;
    }
    assertEquals(0.10, flipped / (double) rows.size(), 0.02);
  }

  @Test
  void sameSeed_sameData_otherSeed_otherData() {
    assertEquals(
        new AdditionTask(SMALL).demonstrations(), new AdditionTask(SMALL).demonstrations());
    AdditionTask.Settings other = new AdditionTask.Settings(8, 4000, 0.35, 4000, 0.10, 1000, 300);
    assertTrue(
        !new AdditionTask(SMALL).evalPrompts().equals(new AdditionTask(other).evalPrompts()));
  }

  @Test
  void writtenFiles_readBackThroughTheCharTokenizer() {
    AdditionTask.Files f = new AdditionTask(SMALL).writeAll(dir);
    try (HfTextCodec codec =
        new HfTextCodec(CharTokenizer.write(dir, CharTokenizer.ADDITION_ALPHABET))) {
      assertEquals(14, codec.vocabSize());
      assertEquals(12, codec.eosId());
      assertArrayEquals(new int[] {2, 3, 10, 5, 8, 11}, codec.encode("23+58="));
      assertEquals("23+58=", codec.decode(new int[] {2, 3, 10, 5, 8, 11}));
      List<Demonstration> demos = Datasets.demonstrations(f.sft(), codec, 0);
      assertEquals(4000, demos.size());
      Demonstration d = demos.get(0);
      assertEquals(12, d.response()[d.response().length - 1], "responses end with the end token");
      assertEquals(1000, Datasets.prompts(f.prompts(), codec).size());
      assertEquals(4000, Datasets.preferences(f.preferences(), codec).size());
    }
  }
}
