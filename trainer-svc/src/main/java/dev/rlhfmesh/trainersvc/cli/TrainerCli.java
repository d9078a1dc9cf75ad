package dev.rlhfmesh.trainersvc.cli;

import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import dev.rlhfmesh.trainersvc.data.AdditionTask;
import dev.rlhfmesh.trainersvc.data.CharTokenizer;
import dev.rlhfmesh.trainersvc.jobs.SpecValidator;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Command line for trainer-svc.
 *
 * <pre>
 * start &lt;spec.json|spec.yaml&gt; [--trainer host:port] [--no-follow]   start a job, follow it
 * watch &lt;job-id&gt; [--from-step N] [--trainer host:port]               follow a job
 * check &lt;spec.json|spec.yaml&gt;                                        validate a spec locally
 * addition-data &lt;dir&gt; [--seed N]     write the built-in task's JSONL files + tokenizer.json
 * </pre>
 *
 * The trainer address defaults to {@code $RLHF_TRAINER_ADDR} or {@code localhost:9004}. Exit code 0
 * when the followed job succeeds, 1 when it fails or is cancelled, 2 on bad usage.
 */
public final class TrainerCli {
  /** Shown first in a progress line when present; the rest follow alphabetically. */
  private static final List<String> KEY_METRICS =
      List.of(
          "reward_mean",
          "kl",
          "loss",
          "eval_loss",
          "eval_accuracy",
          "accuracy",
          "policy_loss",
          "value_loss",
          "entropy",
          "response_length",
          "tokens_per_s");

  private final PrintStream out;

  TrainerCli(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    System.exit(new TrainerCli(System.out).run(args));
  }

  int run(String[] args) {
    if (args.length < 2) {
      return usage();
    }
    String trainer =
        option(
            args, "--trainer", System.getenv().getOrDefault("RLHF_TRAINER_ADDR", "localhost:9004"));
    try {
      switch (args[0]) {
        case "start" -> {
          JobSpec spec = SpecFiles.read(Path.of(args[1]));
          return withTrainer(trainer, ch -> start(ch, spec, !flag(args, "--no-follow")));
        }
        case "watch" -> {
          int from = Integer.parseInt(option(args, "--from-step", "0"));
          return withTrainer(trainer, ch -> follow(ch, args[1], from));
        }
        case "check" -> {
          JobSpec spec = SpecFiles.read(Path.of(args[1]));
          SpecValidator.validate(spec);
          out.println(SpecFiles.toJson(spec));
          return 0;
        }
        case "addition-data" -> {
          long seed = Long.parseLong(option(args, "--seed", "1"));
          Path dir = Path.of(args[1]);
          AdditionTask.Files f = new AdditionTask(AdditionTask.Settings.demo(seed)).writeAll(dir);
          Path tok = CharTokenizer.write(dir, CharTokenizer.ADDITION_ALPHABET);
          out.println(
              "wrote "
                  + f.sft()
                  + ", "
                  + f.preferences()
                  + ", "
                  + f.prompts()
                  + ", "
                  + f.eval()
                  + ", "
                  + tok);
          return 0;
        }
        default -> {
          return usage();
        }
      }
    } catch (StatusRuntimeException e) {
      out.println("error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription());
      return 1;
    } catch (RuntimeException e) {
      out.println("error: " + e.getMessage());
      return 1;
    }
  }

  private int start(ManagedChannel ch, JobSpec spec, boolean follow) {
    Job job =
        TrainerServiceGrpc.newBlockingStub(ch)
            .withDeadlineAfter(60, TimeUnit.SECONDS)
            .startJob(StartJobRequest.newBuilder().setSpec(spec).build())
            .getJob();
    out.println(
        "started "
            + job.getJobId()
            + " ("
            + job.getKind()
            + ", "
            + job.getTotalSteps()
            + " steps) in "
            + job.getOutputDir());
    return follow ? follow(ch, job.getJobId(), 0) : 0;
  }

  /** Prints every event until the job ends; returns the exit code of its final state. */
  int follow(ManagedChannel ch, String jobId, int fromStep) {
    Iterator<WatchJobResponse> events =
        TrainerServiceGrpc.newBlockingStub(ch)
            .watchJob(WatchJobRequest.newBuilder().setJobId(jobId).setFromStep(fromStep).build());
    JobState last = JobState.JOB_STATE_UNSPECIFIED;
    while (events.hasNext()) {
      WatchJobResponse e = events.next();
      if (e.hasMetrics()) {
        out.println(progressLine(e.getMetrics()));
      } else if (e.hasState()) {
        last = e.getState().getState();
        out.println(
            "[" + last.name().substring("JOB_STATE_".length()) + "] " + e.getState().getMessage());
      }
    }
    return last == JobState.JOB_STATE_SUCCEEDED ? 0 : 1;
  }

  /** {@code step 12 reward_mean=0.4120 kl=0.0310 ... time_generate_ms=101.2}. */
  static String progressLine(MetricsEvent m) {
    Map<String, Double> rest = new TreeMap<>(m.getValuesMap());
    List<String> parts = new ArrayList<>();
    for (String k : KEY_METRICS) {
      Double v = rest.remove(k);
      if (v != null) {
        parts.add(k + "=" + format(v));
      }
    }
    rest.forEach((k, v) -> parts.add(k + "=" + format(v)));
    return "step " + m.getStep() + "  " + String.join(" ", parts);
  }

  private static String format(double v) {
    return Math.abs(v) >= 1000 || v == Math.rint(v)
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.4f", v);
  }

  private interface ChannelCall {
    int apply(ManagedChannel ch);
  }

  private static int withTrainer(String address, ChannelCall call) {
    int colon = address.lastIndexOf(':');
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(
                address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)))
            .usePlaintext()
            .build();
    try {
      return call.apply(ch);
    } finally {
      ch.shutdownNow();
    }
  }

  private static String option(String[] args, String name, String dflt) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }

  private static boolean flag(String[] args, String name) {
    for (String a : args) {
      if (a.equals(name)) {
        return true;
      }
    }
    return false;
  }

  private int usage() {
    out.println(
        "usage: TrainerCli start <spec.json|spec.yaml> [--trainer host:port] [--no-follow]\n"
            + "       TrainerCli watch <job-id> [--from-step N] [--trainer host:port]\n"
            + "       TrainerCli check <spec.json|spec.yaml>\n"
            + "       TrainerCli addition-data <dir> [--seed N]");
    return 2;
  }
}
