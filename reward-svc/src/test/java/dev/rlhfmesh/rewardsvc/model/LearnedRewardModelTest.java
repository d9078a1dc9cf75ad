package dev.rlhfmesh.rewardsvc.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.rewardsvc.TinyRewardModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnedRewardModelTest {
  private static final List<int[]> SEQS = List.of(new int[] {1, 2, 3}, new int[] {4, 5});

  /** model-core's own scores of a freshly initialised tiny model. */
  private static float[] reference(long seed) {
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(m, TinyRewardModels.tiny(), seed)) {
      return new float[] {
        model.scoreArray(m, new int[][] {SEQS.get(0)})[0],
        model.scoreArray(m, new int[][] {SEQS.get(1)})[0]
      };
    }
  }

  @Test
  void fromDirectory_scoresEqualModelCoreAndSurviveGarbageCollection() throws Exception {
    Path dir = Files.createTempDirectory("rm");
    TinyRewardModels.write(dir, 7);
    try (LearnedRewardModel m = LearnedRewardModel.fromDirectory("x", dir)) {
      System.gc(); // freed file buffers would show up as NaN or drift here
      Thread.sleep(100);
      System.gc();
      LearnedRewardModel.Scored s = m.scoreVersioned(SEQS);
      assertArrayEquals(reference(7), s.scores(), 1e-5f);
      assertEquals(0, s.version());
    }
  }

  @Test
  void seeded_isFlaggedAsSuchInItsDescription() {
    try (LearnedRewardModel m = LearnedRewardModel.seeded("x", TinyRewardModels.tiny(), 3)) {
      assertTrue(m.description().contains("SEEDED INIT"), m.description());
      assertArrayEquals(reference(3), m.scoreVersioned(SEQS).scores(), 1e-5f);
    }
  }

  @Test
  void replaceWeights_swapsInANewVersionAndRejectsAWrongShapeWithoutChange() {
    GptConfig tiny = TinyRewardModels.tiny();
    try (LearnedRewardModel m = LearnedRewardModel.seeded("x", tiny, 7);
        NDManager src = NDManager.newBaseManager();
        ScalarHeadModel other = ScalarHeadModel.init(src, tiny, 8)) {
      Map<String, NDArray> bad = new LinkedHashMap<>(other.parameters());
      bad.put("score.bias", src.zeros(new ai.djl.ndarray.types.Shape(2)));
      assertThrows(IllegalArgumentException.class, () -> m.replaceWeights(bad, 1, "bad"));
      assertArrayEquals(reference(7), m.scoreVersioned(SEQS).scores(), 1e-5f);
      assertEquals(0, m.version());

      m.replaceWeights(other.parameters(), 3, "test");
      LearnedRewardModel.Scored s = m.scoreVersioned(SEQS);
      assertArrayEquals(reference(8), s.scores(), 1e-5f);
      assertEquals(3, s.version());
    }
  }
}
