package dev.rlhfmesh.launcher.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * Writes the run report: {@code report.json} (every figure and curve), one PNG per chart (drawn
 * with JFreeChart), and {@code report.html} that shows the headline table, the charts and the
 * samples.
 */
public final class ReportWriter {
  /** A chart: a title and the (stage, metric) series it draws. */
  public record Chart(String file, String title, String yLabel, List<String[]> series) {}

  private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The charts the demo report shows. */
  public static List<Chart> defaultCharts() {
    List<Chart> charts = new ArrayList<>();
    charts.add(chart("sft_loss", "SFT loss", "nats/token", "sft:loss", "sft:eval_loss"));
    charts.add(
        chart(
            "rm_accuracy",
            "Reward model accuracy",
            "pairwise accuracy",
            "rm:accuracy",
            "rm:eval_accuracy"));
    charts.add(chart("ppo_reward", "PPO reward (learned RM)", "reward", "ppo:reward_mean"));
    charts.add(
        chart(
            "ppo_gold",
            "Gold score on held-out prompts (sampled at T=1 and greedy)",
            "accuracy",
            "gold:gold_sampled",
            "gold:gold_greedy"));
    charts.add(chart("ppo_kl", "KL to the reference", "nats/sequence", "ppo:kl"));
    charts.add(chart("ppo_entropy", "Policy entropy", "nats/token", "ppo:entropy"));
    charts.add(chart("ppo_losses", "PPO losses", "loss", "ppo:policy_loss", "ppo:value_loss"));
    charts.add(
        chart(
            "ppo_clip", "Clip fraction and approx. KL", "", "ppo:clip_fraction", "ppo:approx_kl"));
    charts.add(chart("ppo_length", "Response length", "tokens", "ppo:response_length"));
    charts.add(
        chart(
            "ppo_time",
            "Time split per iteration",
            "ms",
            "ppo:time_generate_ms",
            "ppo:time_reward_ms",
            "ppo:time_reference_ms",
            "ppo:time_learn_ms",
            "ppo:time_sync_ms"));
    return charts;
  }

  private static Chart chart(String file, String title, String y, String... stageMetrics) {
    List<String[]> s = new ArrayList<>();
    for (String sm : stageMetrics) {
      s.add(sm.split(":", 2));
    }
    return new Chart(file, title, y, s);
  }

  /** Writes everything into {@code dir}; returns the HTML file. */
  public Path write(Path dir, RunRecord run, List<Chart> charts) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> all = new LinkedHashMap<>();
    all.put("figures", run.figures());
    all.put("curves", run.curves());
    all.put("samples", run.samples());
    json.writeValue(dir.resolve("report.json").toFile(), all);
    List<String> drawn = new ArrayList<>();
    for (Chart c : charts) {
      if (drawPng(dir.resolve(c.file() + ".png"), run, c)) {
        drawn.add(c.file());
      }
    }
    Path html = dir.resolve("report.html");
    Files.writeString(html, html(run, charts, drawn), StandardCharsets.UTF_8);
    return html;
  }

  private static boolean drawPng(Path file, RunRecord run, Chart c) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (String[] sm : c.series()) {
      List<double[]> points = run.series(sm[0], sm[1]);
      if (points.isEmpty()) {
        continue;
      }
      XYSeries s = new XYSeries(sm[0] + " " + sm[1]);
      points.forEach(p -> s.add(p[0], p[1]));
      data.addSeries(s);
    }
    if (data.getSeriesCount() == 0) {
      return false;
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            c.title(), "step", c.yLabel(), data, PlotOrientation.VERTICAL, true, false, false);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 720, 400);
    return true;
  }

  private static String html(RunRecord run, List<Chart> charts, List<String> drawn) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!doctype html><html><head><meta charset=\"utf-8\"><title>RLHF Mesh report</title>")
        .append("<style>body{font-family:sans-serif;max-width:1500px;margin:auto}")
        .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}")
        .append("img{margin:6px;border:1px solid #eee}</style></head><body>")
        .append("<h1>RLHF Mesh — SFT → reward model → PPO</h1><h2>Figures</h2><table>");
    run.figures()
        .forEach(
            (k, v) ->
                sb.append("<tr><th align=left>")
                    .append(escape(k))
                    .append("</th><td>")
                    .append(escape(String.valueOf(v)))
                    .append("</td></tr>"));
    sb.append("</table><h2>Curves</h2>");
    for (Chart c : charts) {
      if (drawn.contains(c.file())) {
        sb.append("<img src=\"")
            .append(c.file())
            .append(".png\" alt=\"")
            .append(escape(c.title()))
            .append("\">");
      }
    }
    sb.append(
        "<h2>Samples</h2><table><tr><th>model</th><th>prompt</th><th>response</th><th>gold</th></tr>");
    for (Map<String, String> s : run.samples()) {
      sb.append("<tr><td>")
          .append(escape(s.getOrDefault("model", "")))
          .append("</td><td>")
          .append(escape(s.getOrDefault("prompt", "")))
          .append("</td><td>")
          .append(escape(s.getOrDefault("response", "")))
          .append("</td><td>")
          .append(escape(s.getOrDefault("correct", "")))
          .append("</td></tr>");
    }
    sb.append("</table><p>All figures: <a href=\"report.json\">report.json</a></p></body></html>");
    return sb.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
