package dev.rlhfmesh.launcher.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  @Test
  void write_drawsOnlyChartsWithDataAndListsFigures(@TempDir Path dir) throws Exception {
    System.setProperty("java.awt.headless", "true");
    RunRecord run = new RunRecord();
    for (int step = 1; step <= 5; step++) {
      run.addPoint("ppo", step, Map.of("reward_mean", 0.1 * step, "kl", 0.01 * step));
    }
    run.putFigure("gold PPO sampled at T=1", 0.93);
    Path html = new ReportWriter().write(dir, run, ReportWriter.defaultCharts());

    BufferedImage png = ImageIO.read(dir.resolve("ppo_reward.png").toFile());
    assertEquals(720, png.getWidth());
    assertTrue(Files.exists(dir.resolve("ppo_kl.png")));
    assertFalse(Files.exists(dir.resolve("sft_loss.png")), "no SFT data, no SFT chart");
    String page = Files.readString(html);
    assertTrue(page.contains("ppo_reward.png"));
    assertTrue(page.contains("gold PPO sampled at T=1"));
    assertTrue(Files.readString(dir.resolve("report.json")).contains("\"reward_mean\""));
  }

  @Test
  void progressBar_showsEtaFromTheRateSoFar() {
    ProgressBar bar = new ProgressBar("sft", 100, System.out);
    String line = bar.render(25, "loss 0.5", Duration.ofSeconds(30));
    assertTrue(line.contains(" 25%"), line);
    assertTrue(line.contains("ETA 01:30"), line);
    assertTrue(line.contains("loss 0.5"), line);
  }
}
