package dev.rlhfmesh.k8stests;

import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A short SFT → PPO run on the services a {@link LocalCluster} launched from the manifests, driven
 * only through what an operator has in a cluster: files copied onto the trainer's volumes (what
 * {@code kubectl cp} / {@code kubectl exec} in the pod would do), jobs started and watched on
 * trainer-svc's gRPC port, each model-svc pod's serving weight version read on its admin port with
 * the token of the manifests' Secret, and its generated-token counter on its metrics endpoint.
 *
 * <p>The workflow of k8s/README.md, "Running a PPO job": (1) {@link #trainPolicyOntoModelsVolume}
 * puts a tokenizer and the task data on the trainer's state volume ({@code RLHF_TRAINER_DATA_DIR}),
 * runs SFT, and copies its export to the paths model-svc's manifest loads its policy and reference
 * from (components/models-volume) — before model-svc starts, as a restart would; (2) {@link
 * #runPpo} runs PPO from that export, rewards from reward-svc's built-in {@code shaped-answer}
 * spec.
 */
final class ManifestPpoJob {
  static final int ITERATIONS = 2;
  static final int PROMPTS_PER_ITERATION = 4;
  static final int SAMPLES_PER_PROMPT = 2;
  static final int MAX_NEW_TOKENS = 4;
  static final String REWARD = "shaped-answer";

  /**
   * The task tokenizer's size and end id, as trainer-svc's {@code CharTokenizer} writes it: the
   * characters {@code 0123456789+=} (ids 0–11), then the end (12) and pad (13) tokens.
   */
  static final int VOCAB = 14;

  static final int EOS = 12;

  /** What the PPO run did, for the test's checks. */
  record Result(
      long versionBefore,
      Map<String, Long> versionAfter,
      Map<String, Double> tokensGenerated,
      Job ppo,
      List<MetricsEvent> ppoSteps,
      double ppoSeconds) {}

  private final LocalCluster cluster;
  private final RenderedManifests manifests;
  private final Duration jobTimeout;
  private Path promptData;
  private Job sft;
  private double sftSeconds;

  ManifestPpoJob(LocalCluster cluster, RenderedManifests manifests, Duration jobTimeout) {
    this.cluster = cluster;
    this.manifests = manifests;
    this.jobTimeout = jobTimeout;
  }

  /**
   * Step 1: SFT on trainer-svc, then its export copied, through the trainer's mount of the models
   * volume, to where model-svc's manifest points {@code RLHF_MODEL_MODELS_POLICY_PATH} and {@code
   * _REFERENCE_PATH}.
   */
  Job trainPolicyOntoModelsVolume() throws IOException {
    // The trainer's state volume, wherever the manifest mounts it (rewritten to the local
    // stand-in).
    Path dataDir = Path.of(cluster.app("trainer-svc").env().get("RLHF_TRAINER_DATA_DIR"));
    Path inputs = dataDir.resolve("inputs");
    Files.createDirectories(inputs);
    writeAdditionData(inputs);
    Path sftData = inputs.resolve("sft.jsonl");
    promptData = inputs.resolve("prompts.jsonl");

    long start = System.nanoTime();
    sft =
        runToSuccess(
            JobSpec.newBuilder()
                .setName("manifest-launch-sft")
                .setSeed(1)
                .setSft(
                    SftSpec.newBuilder()
                        .setTokenizerDir(inputs.toString())
                        .setTrainData(sftData.toString())
                        .setSteps(4)
                        .setBatchSize(8)
                        .setOptimizer(
                            OptimizerSpec.newBuilder().setLearningRate(3e-3).setGradClip(1.0)))
                .build(),
            new ArrayList<>());
    sftSeconds = (System.nanoTime() - start) / 1e9;

    Path export = Path.of(sft.getOutputDir(), "model");
    Map<String, String> modelEnv =
        manifests.environment(
            manifests.workload("model-svc").container(), RenderedManifests.ValueResolver.UNKNOWN);
    for (String key :
        List.of("RLHF_MODEL_MODELS_POLICY_PATH", "RLHF_MODEL_MODELS_REFERENCE_PATH")) {
      String inPod = modelEnv.get(key);
      if (inPod == null) {
        throw new AssertionError("model-svc's manifest sets no " + key);
      }
      // kubectl exec trainer-svc-0 -- cp -r <export> <inPod>: the trainer writes where model-svc
      // reads only if both mount the same claim there.
      Path target = cluster.localPath("trainer-svc", inPod);
      if (!target.equals(cluster.localPath("model-svc", inPod))) {
        throw new AssertionError(
            key + "=" + inPod + ": trainer-svc and model-svc do not share the volume there");
      }
      copyTree(export, target);
    }
    return sft;
  }

  double sftSeconds() {
    return sftSeconds;
  }

  /** Step 2 (model-svc running on the SFT export): PPO from the same export. */
  Result runPpo() throws IOException {
    long before = 0;
    Map<String, Double> tokensBefore = new TreeMap<>();
    for (LocalCluster.App pod : cluster.pods("model-svc")) {
      before = Math.max(before, weightVersion(pod));
      tokensBefore.put(pod.name(), tokensGenerated(pod));
    }
    long start = System.nanoTime();
    List<MetricsEvent> steps = new ArrayList<>();
    Job ppo =
        runToSuccess(
            JobSpec.newBuilder()
                .setName("manifest-launch-ppo")
                .setSeed(2)
                .setPpo(
                    PpoSpec.newBuilder()
                        .setPolicyModelDir(Path.of(sft.getOutputDir(), "model").toString())
                        .setReward(REWARD)
                        .setPromptData(promptData.toString())
                        .setIterations(ITERATIONS)
                        .setPromptsPerIteration(PROMPTS_PER_ITERATION)
                        .setSampling(
                            SamplingParams.newBuilder()
                                .setTemperature(1.0f)
                                .setMaxNewTokens(MAX_NEW_TOKENS)
                                .setN(SAMPLES_PER_PROMPT))
                        .setKl(KlSpec.newBuilder().setBeta(0.05).setTargetKl(8.0))
                        .setEstimator(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GRPO)
                        .setClipRange(0.2)
                        .setPpoEpochs(1)
                        .setMinibatchSize(PROMPTS_PER_ITERATION * SAMPLES_PER_PROMPT)
                        .setOptimizer(
                            OptimizerSpec.newBuilder()
                                .setLearningRate(3e-4)
                                .setGradClip(1.0)
                                .setMinLrRatio(1.0)))
                .build(),
            steps);
    double ppoSeconds = (System.nanoTime() - start) / 1e9;
    Map<String, Long> after = new TreeMap<>();
    Map<String, Double> tokens = new TreeMap<>();
    for (LocalCluster.App pod : cluster.pods("model-svc")) {
      after.put(pod.name(), weightVersion(pod));
      tokens.put(pod.name(), tokensGenerated(pod) - tokensBefore.get(pod.name()));
    }
    return new Result(before, after, tokens, ppo, steps, ppoSeconds);
  }

  /** A model-svc pod's serving version of "policy", read with the trainer's admin token. */
  private long weightVersion(LocalCluster.App pod) {
    String token = cluster.app("trainer-svc").env().get("RLHF_TRAINER_ADMIN_TOKEN");
    return WeightAdminServiceGrpc.newBlockingStub(cluster.channel(pod.name(), "admin"))
        .withCallCredentials(new BearerTokenCredentials(token))
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .getWeightVersion(GetWeightVersionRequest.newBuilder().setModel("policy").build())
        .getVersion();
  }

  /** {@code rlhf_model_tokens_generated_total} of "policy" on a pod's Prometheus endpoint. */
  private static double tokensGenerated(LocalCluster.App pod) throws IOException {
    HttpResponse<String> r;
    try {
      r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + pod.port("http") + "/q/metrics"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return r.body()
        .lines()
        .filter(l -> l.startsWith("rlhf_model_tokens_generated_total{"))
        .filter(l -> l.contains("model=\"policy\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(pod.name() + ": no tokens-generated counter in /q/metrics"));
  }

  /** Starts a job, follows WatchJob to its end, and fails unless it SUCCEEDED. */
  private Job runToSuccess(JobSpec spec, List<MetricsEvent> steps) {
    var trainer = TrainerServiceGrpc.newBlockingStub(cluster.channel("trainer-svc", "grpc"));
    Job job =
        trainer
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .startJob(StartJobRequest.newBuilder().setSpec(spec).build())
            .getJob();
    Iterator<WatchJobResponse> events =
        trainer
            .withDeadlineAfter(jobTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .watchJob(WatchJobRequest.newBuilder().setJobId(job.getJobId()).build());
    while (events.hasNext()) {
      WatchJobResponse e = events.next();
      if (e.hasMetrics()) {
        steps.add(e.getMetrics());
      } else if (e.hasState() && terminal(e.getState().getState())) {
        break;
      }
    }
    Job done =
        trainer
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .getJob(GetJobRequest.newBuilder().setJobId(job.getJobId()).build())
            .getJob();
    if (done.getState() != JobState.JOB_STATE_SUCCEEDED) {
      throw new AssertionError(
          spec.getName()
              + " ended "
              + done.getState()
              + ": "
              + done.getError()
              + "\ntrainer-svc log tail:\n"
              + LocalCluster.tail(cluster.app("trainer-svc").log()));
    }
    return done;
  }

  private static boolean terminal(JobState s) {
    return s == JobState.JOB_STATE_SUCCEEDED
        || s == JobState.JOB_STATE_FAILED
        || s == JobState.JOB_STATE_CANCELLED;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /**
   * The built-in addition task's files and its character tokenizer ({@code tokenizer.json}, {@code
   * sft.jsonl}, {@code prompts.jsonl}, ...), written by the packaged trainer's own CLI ({@code
   * TrainerCli addition-data}, from the fast-jar's class path) — the same files a user gets.
   */
  private static void writeAdditionData(Path dir) throws IOException {
    Path app = RepoLayout.module("trainer-svc").resolve("target/quarkus-app");
    String cp =
        String.join(
            java.io.File.pathSeparator,
            app.resolve("app/*").toString(),
            app.resolve("lib/main/*").toString(),
            app.resolve("lib/boot/*").toString());
    Path log = dir.resolve("addition-data.log");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                cp,
                "dev.rlhfmesh.trainersvc.cli.TrainerCli",
                "addition-data",
                dir.toString(),
                "--seed",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IOException("TrainerCli addition-data failed: " + Files.readString(log));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while writing the task data", e);
    }
  }
}
