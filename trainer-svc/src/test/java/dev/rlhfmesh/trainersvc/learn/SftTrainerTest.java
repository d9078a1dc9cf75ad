package dev.rlhfmesh.trainersvc.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.gpt.Gpt;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SftTrainerTest {
  @TempDir Path tmp;

  /** Prompt a b (tokens 2..11), response: b a EOS — a pattern the tiny model can learn. */
  static List<TokenizedExample> swaps(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    List<TokenizedExample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = 2 + r.nextInt(10);
      int b = 2 + r.nextInt(10);
      out.add(new TokenizedExample(new int[] {a, b}, new int[] {b, a, TinyWorld.EOS}));
    }
    return out;
  }

  static SftSettings settings(int steps) {
    return new SftSettings(steps, 32, 1e-2, 5, 0.0, 1.0, 0.1);
  }

  @Test
  void sft_onALearnablePatternLowersEvalLossWellBelowUniform() {
    List<TokenizedExample> eval = swaps(99, 64);
    try (SftTrainer t = SftTrainer.create(settings(80), null, TinyWorld.tiny(), 1)) {
      double before = t.evaluate(eval).get("eval_loss");
      assertEquals(Math.log(12), before, 0.2); // near uniform at init
      for (int s = 0; s < 80; s++) {
        Map<String, Double> m = t.step(swaps(s, 32));
        assertEquals(3 * 32, m.get("tokens")); // prompt tokens are not counted
      }
      double after = t.evaluate(eval).get("eval_loss");
      assertTrue(after < 0.5 * before, "eval loss " + before + " -> " + after);
    }
  }

  @Test
  void sft_saveRestoreContinueIsBitIdenticalToAnUninterruptedRun() {
    List<float[]> straight;
    try (SftTrainer t = SftTrainer.create(settings(6), null, TinyWorld.tiny(), 5)) {
      for (int s = 0; s < 6; s++) {
        t.step(swaps(s, 8));
      }
      straight = TinyWorld.snapshot(t.model().parameters());
    }
    Path ckpt = tmp.resolve("ckpt");
    try (SftTrainer t = SftTrainer.create(settings(6), null, TinyWorld.tiny(), 5)) {
      for (int s = 0; s < 3; s++) {
        t.step(swaps(s, 8));
      }
      t.save(ckpt);
    }
    try (SftTrainer t = SftTrainer.restore(ckpt, settings(6))) {
      assertEquals(3, t.steps());
      for (int s = 3; s < 6; s++) {
        t.step(swaps(s, 8));
      }
      List<float[]> resumed = TinyWorld.snapshot(t.model().parameters());
      for (int i = 0; i < straight.size(); i++) {
        assertArrayEquals(straight.get(i), resumed.get(i), "tensor " + i);
      }
      t.exportModel(tmp.resolve("export"));
    }
    try (NDManager m = NDManager.newBaseManager();
        Gpt g = Gpt.load(m, tmp.resolve("export"))) {
      assertArrayEquals(straight.get(0), g.parameters().get("wte.weight").toFloatArray());
    }
  }
}
