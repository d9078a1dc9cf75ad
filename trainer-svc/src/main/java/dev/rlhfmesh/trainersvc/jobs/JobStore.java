package dev.rlhfmesh.trainersvc.jobs;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Job state on disk, so jobs and their metrics history survive a restart: {@code
 * <root>/jobs/<id>/job.json} (the {@link Job} message as JSON, replaced atomically) and {@code
 * metrics.jsonl} (one {@link MetricsEvent} per line, appended per step).
 */
public final class JobStore {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private final Path jobsRoot;

  public JobStore(Path dataDir) {
    this.jobsRoot = dataDir.resolve("jobs");
    try {
      Files.createDirectories(jobsRoot);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + jobsRoot, e);
    }
  }

  public Path jobDir(String jobId) {
    return jobsRoot.resolve(jobId);
  }

  public Path metricsFile(String jobId) {
    return jobDir(jobId).resolve("metrics.jsonl");
  }

  /** Writes job.json through a temporary file and an atomic rename: never half written. */
  public synchronized void save(Job job) {
    Path dir = jobDir(job.getJobId());
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve("job.json.tmp");
      Files.writeString(tmp, JsonFormat.printer().print(job), StandardCharsets.UTF_8);
      Files.move(
          tmp,
          dir.resolve("job.json"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save job " + job.getJobId(), e);
    }
  }

  public Optional<Job> load(String jobId) {
    Path file = jobDir(jobId).resolve("job.json");
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      Job.Builder b = Job.newBuilder();
      PARSER.merge(Files.readString(file, StandardCharsets.UTF_8), b);
      return Optional.of(b.build());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Every stored job, in no particular order. */
  public List<Job> loadAll() {
    List<Job> jobs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(jobsRoot)) {
      for (Path dir : dirs.sorted(Comparator.naturalOrder()).toList()) {
        load(dir.getFileName().toString()).ifPresent(jobs::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + jobsRoot, e);
    }
    return jobs;
  }

  public synchronized void appendMetrics(String jobId, MetricsEvent event) {
    try (BufferedWriter w =
        Files.newBufferedWriter(
            metricsFile(jobId),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND)) {
      w.write(PRINTER.print(event));
      w.write('\n');
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append metrics of " + jobId, e);
    }
  }

  /** The metrics history, oldest first; a torn last line (crash mid-write) is skipped. */
  public List<MetricsEvent> readMetrics(String jobId) {
    return readMetricsFile(metricsFile(jobId));
  }

  static List<MetricsEvent> readMetricsFile(Path file) {
    List<MetricsEvent> out = new ArrayList<>();
    if (!Files.isRegularFile(file)) {
      return out;
    }
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) {
          continue;
        }
        MetricsEvent.Builder b = MetricsEvent.newBuilder();
        try {
          PARSER.merge(line, b);
          out.add(b.build());
        } catch (InvalidProtocolBufferException torn) {
          // a line cut by a crash: the step is recomputed after resume
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }

  /** Replaces the history (used on resume: steps after the checkpoint are recomputed). */
  public synchronized void rewriteMetrics(String jobId, List<MetricsEvent> events) {
    writeMetricsFile(metricsFile(jobId), events);
  }

  static void writeMetricsFile(Path file, List<MetricsEvent> events) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      StringBuilder sb = new StringBuilder();
      for (MetricsEvent e : events) {
        sb.append(PRINTER.print(e)).append('\n');
      }
      Files.writeString(tmp, sb, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
