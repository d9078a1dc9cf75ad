package dev.rlhfmesh.trainersvc.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewardModelTrainerTest {
  @TempDir Path tmp;

  /** Chosen responses end in token 5 then EOS, rejected in token 6 then EOS; lengths differ. */
  static List<PreferencePair> pairs(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<PreferencePair> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int[] prompt = {2 + r.nextInt(10), 2 + r.nextInt(10)};
      out.add(new PreferencePair(prompt, body(r, 5), body(r, 6)));
    }
    return out;
  }

  static int[] body(SplittableRandom r, int marker) {
    int[] s = new int[2 + r.nextInt(4)];
    for (int j = 0; j < s.length - 2; j++) {
      s[j] = 7 + r.nextInt(5);
    }
    s[s.length - 2] = marker;
    s[s.length - 1] = TinyWorld.EOS;
    return s;
  }

  @Test
  void rewardModel_onSeparablePairsReachesOverNinetyPercentHeldOutAccuracy() {
    RmSettings s = new RmSettings(40, 32, 3e-3, 4, 0.0, 1.0, 0.1, 0.0);
    List<PreferencePair> eval = pairs(1234, 128);
    Path export = tmp.resolve("rm");
    float[] scores;
    try (RewardModelTrainer t = RewardModelTrainer.create(s, null, TinyWorld.tiny(), 3)) {
      double before = t.evaluate(eval).get("eval_accuracy");
      for (int i = 0; i < 40; i++) {
        t.step(pairs(i, 32));
      }
      double after = t.evaluate(eval).get("eval_accuracy");
      assertTrue(after > 0.9, "accuracy " + before + " -> " + after);
      t.exportModel(export);
      scores = t.model().scoreArray(t.model().backbone().manager(), new int[][] {{3, 4, 5, 1}});
    }
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel loaded = ScalarHeadModel.load(m, export)) {
      assertArrayEquals(scores, loaded.scoreArray(m, new int[][] {{3, 4, 5, 1}}));
    }
  }

  @Test
  void rewardModel_saveRestoreContinueIsBitIdentical() {
    RmSettings s = new RmSettings(4, 8, 3e-3, 1, 0.1, 1.0, 0.1, 0.5);
    List<float[]> straight;
    try (RewardModelTrainer t = RewardModelTrainer.create(s, null, TinyWorld.tiny(), 9)) {
      for (int i = 0; i < 4; i++) {
        t.step(pairs(i, 8));
      }
      straight = TinyWorld.snapshot(t.model().parameters());
    }
    Path ckpt = tmp.resolve("ckpt");
    try (RewardModelTrainer t = RewardModelTrainer.create(s, null, TinyWorld.tiny(), 9)) {
      for (int i = 0; i < 2; i++) {
        t.step(pairs(i, 8));
      }
      t.save(ckpt);
    }
    try (RewardModelTrainer t = RewardModelTrainer.restore(ckpt, s)) {
      for (int i = 2; i < 4; i++) {
        t.step(pairs(i, 8));
      }
      List<float[]> resumed = TinyWorld.snapshot(t.model().parameters());
      for (int i = 0; i < straight.size(); i++) {
        assertArrayEquals(straight.get(i), resumed.get(i), "tensor " + i);
      }
    }
  }
}
