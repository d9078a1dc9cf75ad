package dev.rlhfmesh.launcher.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.launcher.report.RunRecord;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job, shortened: every service as its own process on loopback (two model-svc replicas),
 * tokenizer → SFT → reward model → PPO on the built-in task, then the report. It checks that the
 * pipeline runs end to end and that its figures are sane, not that the tiny run learns much.
 */
class QuickDemoPipelineTest {
  @Test
  void quickDemo_runsEveryStageAndWritesASaneReport(@TempDir Path runs) throws Exception {
    System.setProperty("java.awt.headless", "true");
    DemoSettings s = DemoSettings.quick();
    s.runsDir = runs.toString();
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(console, true, StandardCharsets.UTF_8);
    DemoPipeline demo = new DemoPipeline(Path.of("..").toAbsolutePath().normalize(), s, out);
    Path html;
    try {
      html = demo.run();
    } finally {
      System.out.print(console.toString(StandardCharsets.UTF_8));
    }

    assertTrue(Files.exists(html));
    Path dir = html.getParent();
    assertTrue(Files.exists(dir.resolve("report.json")));
    assertTrue(Files.exists(dir.resolve("ppo_reward.png")));
    assertTrue(Files.exists(dir.resolve("sft_loss.png")));
    RunRecord r = demo.record();
    Map<String, Object> f = r.figures();
    for (String key : new String[] {"gold SFT sampled at T=1", "gold PPO sampled at T=1"}) {
      double v = ((Number) f.get(key)).doubleValue();
      assertTrue(v >= 0 && v <= 1, key + " = " + v);
    }
    assertTrue(
        ((Number) f.get("rater pairs from SFT samples")).intValue() >= 0, "raters sampled SFT");
    Path rated = dir.getParent().resolve("data").resolve("pairs_rated.jsonl");
    assertEquals(s.preferencePairs, Files.readAllLines(rated).size(), "reward model's pairs");
    double acc = ((Number) f.get("reward model held-out accuracy")).doubleValue();
    assertTrue(acc >= 0 && acc <= 1, "rm accuracy " + acc);
    assertEquals(
        s.ppoIterations, r.series("ppo", "reward_mean").size(), "one PPO point per iteration");
    double kl = r.series("ppo", "kl").get(s.ppoIterations - 1)[1];
    assertTrue(Double.isFinite(kl), "kl " + kl);
    assertTrue(console.toString(StandardCharsets.UTF_8).contains("ETA"), "progress bars shown");
  }
}
