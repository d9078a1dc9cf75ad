package dev.rlhfmesh.reliability;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What trainer-svc keeps of a job on disk (its README "On disk"): {@code job.json}, {@code
 * metrics.jsonl} (one {@code MetricsEvent} per line, protobuf JSON) and {@code checkpoints/step-N/}
 * (complete ones only; {@code step-N.tmp} while being written).
 */
final class JobFiles {
  private static final Pattern CHECKPOINT = Pattern.compile("step-(\\d+)");
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private JobFiles() {}

  /** One line of metrics.jsonl. */
  record Step(int step, long timeMs, Map<String, Double> values) {}

  static Job job(Path jobDir) throws IOException {
    Job.Builder b = Job.newBuilder();
    PARSER.merge(Files.readString(jobDir.resolve("job.json"), StandardCharsets.UTF_8), b);
    return b.build();
  }

  static List<Step> metrics(Path jobDir) throws IOException {
    List<Step> out = new ArrayList<>();
    for (String line :
        Files.readAllLines(jobDir.resolve("metrics.jsonl"), StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      MetricsEvent.Builder b = MetricsEvent.newBuilder();
      try {
        PARSER.merge(line, b);
      } catch (InvalidProtocolBufferException e) {
        throw new IOException("bad metrics.jsonl line: " + line, e);
      }
      out.add(new Step(b.getStep(), b.getTimeMs(), b.getValuesMap()));
    }
    return out;
  }

  /** Step of the newest complete checkpoint, 0 when there is none. */
  static int newestCheckpoint(Path jobDir) throws IOException {
    Path root = jobDir.resolve("checkpoints");
    if (!Files.isDirectory(root)) {
      return 0;
    }
    int newest = 0;
    try (var dirs = Files.list(root)) {
      for (Path d : dirs.toList()) {
        Matcher m = CHECKPOINT.matcher(d.getFileName().toString());
        if (m.matches() && Files.isDirectory(d)) {
          newest = Math.max(newest, Integer.parseInt(m.group(1)));
        }
      }
    }
    return newest;
  }
}
