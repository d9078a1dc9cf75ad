package dev.rlhfmesh.k8stests;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
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
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A short SFT → PPO run on the services a {@link LocalCluster} launched from the manifests, driven
 * only through the public APIs an operator has in a cluster: the task files are copied onto the
 * trainer's state volume (the path its manifest gives as {@code RLHF_TRAINER_DATA_DIR}, what {@code
 * kubectl cp} to the pod would do), jobs are started and watched on trainer-svc's gRPC port, and
 * each model-svc pod's serving weight version is read on its admin port with the token of the
 * manifests' Secret, and its generated-token counter on its metrics endpoint.
 *
 * <p>Nothing is configured beside the manifests: model-svc serves its seeded "policy" and
 * "reference" models (the manifests name no model directory), so the tokenizer written here is
 * sized to the vocabulary model-svc reports, and the SFT job (seeded init of the same default
 * shape) provides the policy directory PPO starts from and pushes to every replica before its first
 * rollout. Rewards come from reward-svc's built-in {@code shaped-answer} spec.
 */
final class ManifestPpoJob {
  static final int ITERATIONS = 2;
  static final int PROMPTS_PER_ITERATION = 4;
  static final int SAMPLES_PER_PROMPT = 2;
  static final int MAX_NEW_TOKENS = 4;
  static final String REWARD = "shaped-answer";

  /** The character set of the task; ids 0–11, then the end and pad tokens. */
  private static final String ALPHABET = "0123456789+=";

  private static final String END = "<|endoftext|>";
  private static final String PAD = "<pad>";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What the run did, for the test's checks. */
  record Result(
      GetModelInfoResponse policyBefore,
      long versionBefore,
      Map<String, Long> versionAfter,
      Map<String, Double> tokensGenerated,
      Job sft,
      Job ppo,
      List<MetricsEvent> ppoSteps,
      double sftSeconds,
      double ppoSeconds) {}

  private final LocalCluster cluster;
  private final Duration jobTimeout;

  ManifestPpoJob(LocalCluster cluster, Duration jobTimeout) {
    this.cluster = cluster;
    this.jobTimeout = jobTimeout;
  }

  Result run() throws IOException {
    GetModelInfoResponse policy =
        ModelServiceGrpc.newBlockingStub(cluster.channel("model-svc", "grpc"))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .getModelInfo(GetModelInfoRequest.newBuilder().setModel("policy").build());

    // The trainer's state volume, wherever the manifest mounts it (rewritten to the local
    // stand-in).
    Path dataDir = Path.of(cluster.app("trainer-svc").env().get("RLHF_TRAINER_DATA_DIR"));
    Path inputs = dataDir.resolve("inputs");
    Files.createDirectories(inputs);
    writeTokenizer(inputs.resolve("tokenizer.json"), policy.getVocabSize());
    Path sftData = inputs.resolve("sft.jsonl");
    Path promptData = inputs.resolve("prompts.jsonl");
    writeTask(sftData, promptData);

    long start = System.nanoTime();
    Job sft =
        runToSuccess(
            JobSpec.newBuilder()
                .setName("manifest-launch-sft")
                .setSeed(1)
                .setSft(
                    SftSpec.newBuilder()
                        .setTokenizerDir(inputs.toString())
                        .setTrainData(sftData.toString())
                        .setSteps(2)
                        .setBatchSize(8)
                        .setOptimizer(
                            OptimizerSpec.newBuilder().setLearningRate(1e-3).setGradClip(1.0)))
                .build(),
            new ArrayList<>());
    double sftSeconds = (System.nanoTime() - start) / 1e9;

    long before = 0;
    Map<String, Double> tokensBefore = new TreeMap<>();
    for (LocalCluster.App pod : cluster.pods("model-svc")) {
      before = Math.max(before, weightVersion(pod));
      tokensBefore.put(pod.name(), tokensGenerated(pod));
    }
    start = System.nanoTime();
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
                                .setLearningRate(1e-3)
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
    return new Result(policy, before, after, tokens, sft, ppo, steps, sftSeconds, ppoSeconds);
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

  /**
   * A character-level Hugging Face tokenizer.json (WordLevel, one token per character, Fuse
   * decoder) whose ids fill exactly {@code vocabSize}: the task's characters first, then the end
   * and pad tokens, then filler characters, so every id model-svc can sample decodes.
   */
  static void writeTokenizer(Path file, int vocabSize) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ObjectNode vocab = JSON.createObjectNode();
    int id = 0;
    for (char c : ALPHABET.toCharArray()) {
      vocab.put(String.valueOf(c), id++);
    }
    ArrayNode added = root.putArray("added_tokens");
    for (String special : new String[] {END, PAD}) {
      vocab.put(special, id);
      ObjectNode t = added.addObject();
      t.put("id", id++);
      t.put("content", special);
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    for (int cp = 0x100; id < vocabSize; cp++) { // Latin Extended-A onwards: plain letters
      vocab.put(new String(Character.toChars(cp)), id++);
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "Split");
    pre.putObject("pattern").put("Regex", ".");
    pre.put("behavior", "Isolated");
    pre.put("invert", false);
    root.putNull("post_processor");
    root.putObject("decoder").put("type", "Fuse");
    ObjectNode model = root.putObject("model");
    model.put("type", "WordLevel");
    model.set("vocab", vocab);
    model.put("unk_token", PAD);
    Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
  }

  /** Two-digit additions: demonstrations for SFT and prompts with their reference answers. */
  private static void writeTask(Path sft, Path prompts) {
    StringBuilder demos = new StringBuilder();
    StringBuilder asks = new StringBuilder();
    for (int i = 0; i < 32; i++) {
      int a = 10 + (i * 37) % 90;
      int b = 10 + (i * 53 + 11) % 90;
      String prompt = a + "+" + b + "=";
      String answer = String.valueOf(a + b);
      demos.append(line("prompt", prompt, "response", answer));
      asks.append(line("prompt", prompt, "reference_answer", answer));
    }
    try {
      Files.writeString(sft, demos);
      Files.writeString(prompts, asks);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String line(String k1, String v1, String k2, String v2) {
    ObjectNode o = JSON.createObjectNode();
    o.put(k1, v1);
    o.put(k2, v2);
    return o + "\n";
  }
}
