package dev.rlhfmesh.launcher.pipeline;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.report.ReportWriter;
import dev.rlhfmesh.launcher.report.RunRecord;
import dev.rlhfmesh.launcher.task.AdditionTask;
import dev.rlhfmesh.launcher.task.AdditionTask.Problem;
import dev.rlhfmesh.launcher.task.PolicyPairs;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerResponse;
import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.Job;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.RewardModelSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import io.grpc.Channel;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The main job: tokenizer → SFT → reward model → PPO on the built-in task, every stage a call to a
 * real service process, then before/after figures and a report.
 */
public final class DemoPipeline {
  private final Path repo;
  private final DemoSettings s;
  private final PrintStream out;
  private final RunRecord record = new RunRecord();

  public DemoPipeline(Path repo, DemoSettings settings, PrintStream out) {
    this.repo = repo;
    this.s = settings;
    this.out = out;
  }

  /** Runs everything; returns the report's HTML path. */
  public Path run() throws IOException, InterruptedException {
    Instant start = Instant.now();
    Path runDir = repo.resolve(s.runsDir).resolve("run-" + start.toEpochMilli()).toAbsolutePath();
    Files.createDirectories(runDir);
    out.println("run folder: " + runDir);
    AdditionTask task =
        new AdditionTask(s.seed, s.wrongDemoShare, s.flippedLabelShare, s.heldOutPrompts);
    AdditionTask.TaskFiles data =
        task.write(runDir.resolve("data"), s.sftExamples, s.preferencePairs);
    Path sftData = s.sftData.isEmpty() ? data.sft() : Path.of(s.sftData);
    Path pairData = s.pairData.isEmpty() ? data.pairs() : Path.of(s.pairData);
    Path promptData = s.promptData.isEmpty() ? data.prompts() : Path.of(s.promptData);

    try (LocalCluster cluster = new LocalCluster(repo, runDir, s.modelReplicas)) {
      try {
        step("starting tokenizer-svc");
        ServiceProcess tok = cluster.startTokenizer(null);
        Path tokenizerDir = trainTokenizer(tok.channel(), runDir.resolve("tokenizer"), data);

        step("starting trainer-svc");
        ServiceProcess trainer = cluster.startTrainer(tokenizerDir);
        JobFollower jobs = new JobFollower(trainer.channel(), record, out);

        Job sft =
            jobs.run(
                "sft",
                sftSpec(sftData, tokenizerDir),
                s.sftSteps,
                List.of("loss", "eval_loss", "lr"),
                null);
        Path sftModel = exportedModel(sft);

        step("starting " + s.modelReplicas + " model-svc replicas");
        List<ServiceProcess> models = cluster.startModels(sftModel, sftModel, tokenizerDir);
        List<Channel> modelChannels = models.stream().map(m -> (Channel) m.channel()).toList();
        if (s.pairData.isEmpty() && s.raterSamplesPerPrompt > 0) {
          pairData =
              ratePolicySamples(
                  task, data, new PolicySampler(tok.channel(), modelChannels, s.maxNewTokens));
        }
        Job rm =
            jobs.run(
                "rm",
                rmSpec(
                    pairData,
                    s.pairData.isEmpty() ? data.pairEval() : null,
                    sftModel,
                    tokenizerDir),
                s.rmSteps,
                List.of("loss", "accuracy", "eval_accuracy"),
                null);
        Path rewardModel = exportedModel(rm);
        record.putFigure("reward model held-out accuracy", lastValue("rm", "eval_accuracy"));
        record.putFigure(
            "reward model eval set",
            s.pairData.isEmpty()
                ? "pairs on the held-out prompts, labelled by the gold rule"
                : "5% of the training pairs (their own labels)");

        step("starting reward-svc");
        ServiceProcess reward = cluster.startReward(rewardModel);
        GoldEvaluator gold =
            new GoldEvaluator(tok.channel(), modelChannels, reward.channel(), s.maxNewTokens);

        List<Problem> evalSet = task.evalProblems();
        GoldEvaluator.Result before = gold.evaluate(evalSet, s.seed, "SFT");
        report("SFT", before);
        record.addPoint(
            "gold",
            0,
            Map.of("gold_sampled", before.goldSampled(), "gold_greedy", before.goldGreedy()));

        List<Problem> periodic = evalSet.subList(0, Math.min(s.goldEvalPrompts, evalSet.size()));
        Job ppo =
            jobs.run(
                "ppo",
                ppoSpec(sftModel, rewardModel, promptData),
                s.ppoIterations,
                List.of("reward_mean", "kl", "entropy", "tokens_per_s"),
                (step, values) -> {
                  if (s.goldEvalEvery > 0
                      && step % s.goldEvalEvery == 0
                      && step < s.ppoIterations) {
                    GoldEvaluator.Result r = gold.evaluate(periodic, s.seed + step, "PPO@" + step);
                    out.printf(
                        "%nPPO@%d: gold sampled %.3f, greedy %.3f (weight versions %d–%d);"
                            + " RM prefers a wrong answer in %.1f%% of errors; most common error %s%n",
                        step,
                        r.goldSampled(),
                        r.goldGreedy(),
                        r.policyVersion(),
                        r.newestPolicyVersion(),
                        100 * r.wrongAboveCorrect(),
                        r.mostCommonError());
                    record.addPoint(
                        "gold",
                        step,
                        Map.of("gold_sampled", r.goldSampled(), "gold_greedy", r.goldGreedy()));
                  }
                });
        GoldEvaluator.Result after = gold.evaluate(evalSet, s.seed, "PPO");
        report("PPO", after);
        record.addPoint(
            "gold",
            s.ppoIterations,
            Map.of("gold_sampled", after.goldSampled(), "gold_greedy", after.goldGreedy()));
        record.putFigure(
            "gold gain, sampled at T=1 (points)",
            Math.round((after.goldSampled() - before.goldSampled()) * 1000) / 10.0);
        record.putFigure("final KL to reference (nats/sequence)", lastValue("ppo", "kl"));
        record.putFigure("KL target (nats/sequence)", s.targetKl);
        record.putFigure("PPO job", ppo.getJobId());
      } catch (IOException | RuntimeException e) {
        String logs = cluster.deadProcessLogs();
        throw new IOException(e.getMessage() + (logs.isEmpty() ? "" : "\n" + logs), e);
      }
    }
    record.putFigure("wall time", formatDuration(Duration.between(start, Instant.now())));
    record.putFigure("seed", s.seed);
    Path html =
        new ReportWriter().write(runDir.resolve("report"), record, ReportWriter.defaultCharts());
    out.println();
    record.figures().forEach((k, v) -> out.printf("  %-45s %s%n", k, v));
    out.println("report: " + html);
    return html;
  }

  public RunRecord record() {
    return record;
  }

  /**
   * Has the raters compare the SFT policy's own answers on training prompts and mixes those pairs
   * into the reward model's training file; returns that file.
   */
  private Path ratePolicySamples(AdditionTask task, AdditionTask.TaskFiles data, PolicySampler sft)
      throws IOException {
    List<Problem> problems = task.trainProblems();
    if (s.raterPrompts > 0 && s.raterPrompts < problems.size()) {
      problems = problems.subList(0, s.raterPrompts);
    }
    step(
        "sampling the SFT policy for the raters: "
            + s.raterSamplesPerPrompt
            + " answers to each of "
            + problems.size()
            + " training prompts");
    int k = s.raterSamplesPerPrompt;
    PolicySampler.Samples samples =
        sft.sample(problems.stream().map(Problem::prompt).toList(), k, 1.0f, s.seed + 77);
    List<List<String>> answers = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      List<String> mine = new ArrayList<>();
      for (int j = 0; j < k; j++) {
        mine.add(samples.get(i, j));
      }
      answers.add(mine);
    }
    List<PolicyPairs.Pair> pairs = PolicyPairs.rate(problems, answers, s.flippedLabelShare, s.seed);
    Path mixed = data.pairs().resolveSibling("pairs_rated.jsonl");
    int fromPolicy =
        PolicyPairs.writeMixed(
            data.pairs(), pairs, s.policyPairShare, s.preferencePairs, s.seed, mixed);
    out.printf(
        "raters compared %d pairs of the SFT policy's answers; %d of the reward model's %d"
            + " training pairs come from them%n",
        pairs.size(), fromPolicy, s.preferencePairs);
    record.putFigure("rater pairs from SFT samples", pairs.size());
    return mixed;
  }

  private Path trainTokenizer(Channel tokenizer, Path dir, AdditionTask.TaskFiles data)
      throws IOException {
    step("training the tokenizer on the task corpus");
    TokenizerServiceGrpc.TokenizerServiceBlockingStub stub =
        TokenizerServiceGrpc.newBlockingStub(tokenizer);
    // 0 = the 256 byte tokens plus the reserved specials and no merges: character level, so
    // numbers are never merged into opaque tokens and the model can learn to add digit by digit.
    int vocab =
        s.tokenizerVocabSize > 0
            ? s.tokenizerVocabSize
            : 256
                + stub.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance())
                    .getSpecialTokensCount();
    TrainTokenizerResponse r =
        stub.trainTokenizer(
            TrainTokenizerRequest.newBuilder()
                .addCorpusFiles(data.sft().toString())
                .setVocabSize(vocab)
                .setOutputDir(dir.toString())
                .setLoadAfterTraining(true)
                .build());
    record.putFigure("tokenizer vocab size", r.getVocabSize());
    return dir;
  }

  private OptimizerSpec optimizer(double lr, int warmup) {
    return OptimizerSpec.newBuilder()
        .setLearningRate(lr)
        .setWarmupSteps(warmup)
        .setWeightDecay(0.01)
        .setGradClip(1.0)
        .setMinLrRatio(0.1)
        .build();
  }

  private JobSpec sftSpec(Path data, Path tokenizerDir) {
    SftSpec.Builder sft =
        SftSpec.newBuilder()
            .setTrainData(data.toString())
            .setTokenizerDir(tokenizerDir.toString())
            .setEvalFraction(0.05)
            .setSteps(s.sftSteps)
            .setBatchSize(s.sftBatch)
            .setOptimizer(optimizer(s.sftLr, s.sftWarmup))
            .setEvalEvery(Math.max(1, s.sftSteps / 10));
    if (!s.baseModelDir.isEmpty()) {
      sft.setModelDir(s.baseModelDir);
    }
    return JobSpec.newBuilder().setName("demo-sft").setSeed(s.seed).setSft(sft).build();
  }

  /**
   * @param goldEval held-out pairs labelled by the gold rule (the built-in task's), or null to hold
   *     out 5% of the (noisily labelled) training pairs instead
   */
  private JobSpec rmSpec(Path data, Path goldEval, Path sftModel, Path tokenizerDir) {
    RewardModelSpec.Builder rm =
        RewardModelSpec.newBuilder()
            .setModelDir(sftModel.toString())
            .setTokenizerDir(tokenizerDir.toString())
            .setTrainData(data.toString())
            .setSteps(s.rmSteps)
            .setBatchSize(s.rmBatch)
            .setOptimizer(optimizer(s.rmLr, Math.min(50, s.rmSteps / 10)))
            .setEvalEvery(Math.max(1, s.rmSteps / 10));
    if (goldEval == null) {
      rm.setEvalFraction(0.05);
    } else {
      rm.setEvalData(goldEval.toString());
    }
    return JobSpec.newBuilder()
        .setName("demo-reward-model")
        .setSeed(s.seed)
        .setRewardModel(rm)
        .build();
  }

  private JobSpec ppoSpec(Path sftModel, Path rewardModel, Path prompts) {
    PpoSpec ppo =
        PpoSpec.newBuilder()
            .setPolicyModelDir(sftModel.toString())
            .setCriticModelDir(rewardModel.toString())
            .setReward("learned")
            .setPromptData(prompts.toString())
            .setIterations(s.ppoIterations)
            .setPromptsPerIteration(s.ppoPromptsPerIteration)
            .setSampling(
                SamplingParams.newBuilder()
                    .setTemperature(1.0f)
                    .setMaxNewTokens(s.maxNewTokens)
                    .setN(s.ppoSamplesPerPrompt))
            .setKl(KlSpec.newBuilder().setBeta(s.klBeta).setTargetKl(s.targetKl))
            .setEstimator(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GAE)
            .setGamma(1.0)
            .setLam(0.95)
            .setClipRange(0.2)
            .setValueClipRange(0.2)
            .setValueCoef(0.1)
            .setPpoEpochs(s.ppoEpochs)
            .setMinibatchSize(s.ppoMinibatch)
            .setOptimizer(
                OptimizerSpec.newBuilder()
                    .setLearningRate(s.ppoLr)
                    .setGradClip(1.0)
                    .setMinLrRatio(1.0))
            .setWhitenAdvantages(true)
            .setNormalizeRewards(true)
            .setPolicyModel("policy")
            .setReferenceModel("reference")
            .build();
    return JobSpec.newBuilder().setName("demo-ppo").setSeed(s.seed).setPpo(ppo).build();
  }

  /** The model a finished job exported (Hugging Face layout). */
  static Path exportedModel(Job job) throws IOException {
    Path dir = Path.of(job.getOutputDir()).resolve("model");
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      throw new IOException("job " + job.getJobId() + " exported no model in " + dir);
    }
    return dir;
  }

  private double lastValue(String stage, String metric) {
    List<double[]> series = record.series(stage, metric);
    return series.isEmpty() ? Double.NaN : series.get(series.size() - 1)[1];
  }

  private void report(String label, GoldEvaluator.Result r) {
    record.putFigure("gold " + label + " sampled at T=1", r.goldSampled());
    record.putFigure("gold " + label + " greedy", r.goldGreedy());
    record.putFigure("wrong answer scored above correct, " + label, r.wrongAboveCorrect());
    record.putFigure("most common error, " + label, r.mostCommonError());
    r.examples().forEach(record::addSample);
    out.printf(
        "%s: gold sampled %.3f, greedy %.3f; RM prefers a wrong answer in %.1f%% of errors; most common error %s%n",
        label, r.goldSampled(), r.goldGreedy(), 100 * r.wrongAboveCorrect(), r.mostCommonError());
  }

  private void step(String what) {
    out.println("==> " + what);
  }

  private static String formatDuration(Duration d) {
    return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
  }
}
