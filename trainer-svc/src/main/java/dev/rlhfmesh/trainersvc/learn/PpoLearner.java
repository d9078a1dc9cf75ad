package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.scoring.Logprobs;
import dev.rlhfmesh.model.train.LrSchedule;
import dev.rlhfmesh.trainersvc.learn.ckpt.CheckpointFiles;
import dev.rlhfmesh.trainersvc.learn.ckpt.ModelFiles;
import dev.rlhfmesh.trainersvc.learn.ppo.AdvantageWhitening;
import dev.rlhfmesh.trainersvc.learn.ppo.EntropyBonus;
import dev.rlhfmesh.trainersvc.learn.ppo.Gae;
import dev.rlhfmesh.trainersvc.learn.ppo.GroupAdvantages;
import dev.rlhfmesh.trainersvc.learn.ppo.KlController;
import dev.rlhfmesh.trainersvc.learn.ppo.KlPenalty;
import dev.rlhfmesh.trainersvc.learn.ppo.PolicyLoss;
import dev.rlhfmesh.trainersvc.learn.ppo.RewardNormalizer;
import dev.rlhfmesh.trainersvc.learn.ppo.RewardShaping;
import dev.rlhfmesh.trainersvc.learn.ppo.RlooAdvantages;
import dev.rlhfmesh.trainersvc.learn.ppo.ValueLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The RL step of RLHF: one {@link #learn} call turns a batch of {@link Rollout}s into policy (and
 * critic) updates — PPO with GAE, GRPO or RLOO (see {@link Estimator}). It only runs the loop; each
 * formula lives in its own class of {@code learn.ppo}.
 *
 * <ol>
 *   <li>One no-grad forward recomputes the old logprobs (and values, entropies) under the current
 *       weights; Generate's behaviour logprobs only feed a staleness metric.
 *   <li>Scores → {@link RewardShaping} → advantages: GAE on per-token rewards −β·k1 + score at the
 *       last token ({@link KlPenalty}, {@link Gae}, {@link AdvantageWhitening}); GRPO's {@link
 *       GroupAdvantages} with β·k3 in the loss; RLOO's {@link RlooAdvantages} on score − β·Σk1.
 *   <li>{@code ppoEpochs} passes of shuffled minibatches: {@link PolicyLoss} + valueCoef·{@link
 *       ValueLoss} − entropyCoef·{@link EntropyBonus} (+ β·k3 for GRPO), clipped global norm, AdamW
 *       at the iteration's rate (warm-up + cosine over iterations).
 *   <li>β updates ({@link KlController}), version += 1.
 * </ol>
 *
 * Critic (GAE only): with {@code criticDir} a separate {@link ScalarHeadModel} loaded from it (a
 * reward-model directory keeps its head, a plain GPT-2 gets a fresh head); without, a value head on
 * the policy's own final hidden states (as the DEMO-NOTES run: one backbone, the value loss also
 * shapes the shared features, half the compute). GRPO and RLOO have no critic.
 *
 * <p>Randomness: minibatch order only, drawn from a {@link SplittableRandom} seeded by (seed,
 * version, epoch), so a checkpoint needs only the seed and version to resume bit-exactly. Not
 * thread-safe; one {@code GradientCollector} may be open per JVM (a DJL rule), so do not run two
 * learners' steps concurrently.
 */
public final class PpoLearner implements AutoCloseable {
  static final String KIND = "ppo";
  private final PpoSettings s;
  private final long seed;
  private final NDManager root;
  private final Gpt policy;
  private final ScalarHeadModel critic; // null for GRPO/RLOO
  private final boolean sharedCritic;
  private final Map<String, NDArray> trainable;
  private final Optimization opt;
  private final LrSchedule schedule;
  private final KlController kl;
  private final RewardNormalizer normalizer = new RewardNormalizer();
  private final PolicyLoss policyLoss;
  private final ValueLoss valueLoss;
  private long version;

  private PpoLearner(
      PpoSettings s,
      long seed,
      NDManager root,
      Gpt policy,
      ScalarHeadModel critic,
      boolean shared) {
    this.s = s;
    this.seed = seed;
    this.root = root;
    this.policy = policy;
    this.critic = critic;
    this.sharedCritic = shared;
    this.trainable = new LinkedHashMap<>(policy.parameters());
    if (critic != null) {
      if (critic.config().vocabSize() != policy.config().vocabSize()) {
        throw new IllegalArgumentException("critic and policy vocabularies differ");
      }
      critic
          .parameters()
          .forEach(
              (k, v) -> {
                if (shared) {
                  trainable.putIfAbsent(k, v); // backbone already in; adds score.*
                } else {
                  trainable.put("critic." + k, v);
                }
              });
      critic.setTrainable(true);
    }
    policy.setTrainable(true);
    this.opt = new Optimization(root, s.weightDecay(), s.gradClip());
    this.schedule =
        new LrSchedule(s.learningRate(), s.warmupSteps(), s.totalIterations(), s.minLrRatio());
    this.kl = KlController.of(s.adaptiveKl(), s.klBeta(), s.targetKl(), s.klHorizon());
    this.policyLoss = new PolicyLoss(s.clipRange());
    this.valueLoss = new ValueLoss(s.valueClipRange());
  }

  /**
   * @param policyDir the SFT policy (Hugging Face GPT-2 directory)
   * @param criticDirOrNull critic start (GAE): a reward-model or GPT-2 directory, or null for a
   *     value head on the policy
   * @param seed value-head initialisation and minibatch order
   */
  public static PpoLearner create(PpoSettings s, Path policyDir, Path criticDirOrNull, long seed) {
    NDManager root = NDManager.newBaseManager();
    try {
      Gpt policy = ModelFiles.loadGpt(root, policyDir);
      if (s.estimator() != Estimator.GAE) {
        return new PpoLearner(s, seed, root, policy, null, false);
      }
      if (criticDirOrNull == null) {
        return new PpoLearner(
            s, seed, root, policy, ScalarHeadModel.withNewHead(policy, seed), true);
      }
      ScalarHeadModel critic = RewardModelTrainer.loadOrInit(root, criticDirOrNull, null, seed);
      return new PpoLearner(s, seed, root, policy, critic, false);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** Learn() calls done so far. */
  public long version() {
    return version;
  }

  public GptConfig config() {
    return policy.config();
  }

  /** Current β. */
  public double klBeta() {
    return kl.beta();
  }

  /**
   * The live policy parameters under Hugging Face GPT-2 names (read-only views: copy or serialise
   * them before the next {@link #learn}).
   */
  public Map<String, NDArray> policyWeights() {
    return policy.parameters();
  }

  /** The no-grad pass: per response token old logprob, value (or null), entropy. */
  private record OldPass(float[][] logprobs, float[][] values, float[][] entropies) {}

  /** One iteration's update; returns the metrics listed in LEARNING.md. */
  public Map<String, Double> learn(List<Rollout> batch) {
    long t0 = System.nanoTime();
    int n = batch.size();
    if (n == 0) {
      throw new IllegalArgumentException("empty rollout batch");
    }
    OldPass old = oldPass(batch);
    float[] scores = new float[n];
    boolean[] eos = new boolean[n];
    int[] groups = new int[n];
    float[][] ref = new float[n][];
    for (int i = 0; i < n; i++) {
      Rollout r = batch.get(i);
      scores[i] = r.score();
      eos[i] = r.endedWithEos();
      groups[i] = r.group();
      ref[i] = r.refLogprobs();
    }
    float[] shaped =
        RewardShaping.shape(
            scores,
            eos,
            s.normalizeRewards() ? normalizer : null,
            s.noEosPenalty(),
            s.rewardClip());
    double beta = kl.beta();
    float[] klSeq = KlPenalty.perSequence(old.logprobs(), ref, null, KlPenalty.Estimator.K1);

    float[][] adv;
    float[][] returns = null;
    switch (s.estimator()) {
      case GAE -> {
        float[][] rewards =
            KlPenalty.rewards(old.logprobs(), ref, null, shaped, beta, KlPenalty.Estimator.K1);
        Gae.Result g = Gae.compute(rewards, old.values(), null, s.gamma(), s.lam());
        adv =
            s.whitenAdvantages() ? AdvantageWhitening.whiten(g.advantages(), null) : g.advantages();
        returns = g.returns();
      }
      case GRPO -> adv = broadcast(GroupAdvantages.compute(shaped, groups), batch);
      case RLOO -> {
        float[] penalised = new float[n];
        for (int i = 0; i < n; i++) {
          penalised[i] = (float) (shaped[i] - beta * klSeq[i]);
        }
        adv = broadcast(RlooAdvantages.compute(penalised, groups), batch);
      }
      default -> throw new IllegalStateException();
    }

    double lr = schedule.at(version);
    double[] sums = new double[5]; // policy_loss, value_loss, clip_fraction, approx_kl, grad_norm
    int updates = 0;
    for (int epoch = 0; epoch < s.ppoEpochs(); epoch++) {
      int[] order = permutation(n, epoch);
      for (int from = 0; from < n; from += s.minibatchSize()) {
        int[] rows =
            java.util.Arrays.copyOfRange(order, from, Math.min(n, from + s.minibatchSize()));
        double[] m = update(batch, rows, old, ref, adv, returns, beta, lr);
        for (int k = 0; k < sums.length; k++) {
          sums[k] += m[k];
        }
        updates++;
      }
    }
    version++;
    double klMean = mean(klSeq);
    kl.update(klMean, n);

    Map<String, Double> out = new LinkedHashMap<>();
    out.put("reward_mean", mean(scores));
    out.put("reward_std", std(scores));
    out.put("kl", klMean);
    out.put("entropy", tokenMean(old.entropies()));
    out.put("policy_loss", sums[0] / updates);
    out.put("value_loss", sums[1] / updates);
    out.put("clip_fraction", sums[2] / updates);
    out.put("approx_kl", sums[3] / updates);
    out.put(
        "explained_variance",
        returns == null ? Double.NaN : explainedVariance(returns, old.values()));
    double len = 0;
    double eosCount = 0;
    for (int i = 0; i < n; i++) {
      len += batch.get(i).response().length;
      eosCount += eos[i] ? 1 : 0;
    }
    out.put("response_length", len / n);
    out.put("kl_beta", beta);
    out.put("learn_ms", (System.nanoTime() - t0) / 1e6);
    out.put("lr", lr);
    out.put("grad_norm", sums[4] / updates);
    out.put("eos_rate", eosCount / n);
    out.put("shaped_reward_mean", mean(shaped));
    out.put("behaviour_logprob_gap", behaviourGap(batch, old.logprobs()));
    out.put("updates", (double) updates);
    return out;
  }

  private OldPass oldPass(List<Rollout> batch) {
    int n = batch.size();
    float[][] lp = new float[n][];
    float[][] val = critic == null ? null : new float[n][];
    float[][] ent = new float[n][];
    int chunk = Math.max(1, s.minibatchSize());
    for (int from = 0; from < n; from += chunk) {
      int[] rows = new int[Math.min(n, from + chunk) - from];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = from + i;
      }
      PaddedBatch pb = pad(batch, rows);
      try (NDManager m = root.newSubManager()) {
        Forward f = forward(m, pb);
        float[][] l = pb.responses(f.logprobs().toFloatArray());
        float[][] e = pb.responses(Logprobs.entropy(f.predicting()).toFloatArray());
        float[][] v = f.values() == null ? null : pb.responses(f.values().toFloatArray());
        for (int i = 0; i < rows.length; i++) {
          lp[from + i] = l[i];
          ent[from + i] = e[i];
          if (val != null) {
            val[from + i] = v[i];
          }
        }
      }
    }
    return new OldPass(lp, val, ent);
  }

  /** Forward results in action coordinates (B, L − 1). */
  private record Forward(NDArray predicting, NDArray logprobs, NDArray values) {}

  private Forward forward(NDManager m, PaddedBatch pb) {
    NDArray ids = pb.ids(m); // (B, L)
    NDArray att = pb.attention(m); // (B, L)
    NDArray h = policy.hidden(ids, att); // (B, L, C)
    NDArray predicting = policy.lmHead(h).get(new NDIndex(":, :-1")); // (B, L-1, V)
    NDArray lp = Logprobs.tokenLogprobs(predicting, ids.get(new NDIndex(":, 1:"))); // (B, L-1)
    NDArray values = null;
    if (critic != null) {
      NDArray v; // (B, L)
      if (sharedCritic) {
        Map<String, NDArray> p = critic.parameters();
        v =
            Linear.linear(h, p.get("score.weight"), p.get("score.bias"))
                .singletonOrThrow()
                .squeeze(-1);
      } else {
        v = critic.values(ids, att);
      }
      values = v.get(new NDIndex(":, :-1")); // (B, L-1): V(s_t) before emitting token t+1
    }
    return new Forward(predicting, lp, values);
  }

  /** One minibatch update; returns {policy_loss, value_loss, clip_fraction, approx_kl, norm}. */
  private double[] update(
      List<Rollout> batch,
      int[] rows,
      OldPass old,
      float[][] ref,
      float[][] adv,
      float[][] returns,
      double beta,
      double lr) {
    PaddedBatch pb = pad(batch, rows);
    double[] out = new double[5];
    try (NDManager m = root.newSubManager()) {
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray mask = pb.actionMask(m);
        Forward f = forward(m, pb);
        PolicyLoss.Result pr =
            policyLoss.compute(
                f.logprobs(),
                pb.actions(m, pick(old.logprobs(), rows)),
                pb.actions(m, pick(adv, rows)),
                mask);
        NDArray loss = pr.loss();
        NDArray vl = null;
        if (critic != null) {
          vl =
              valueLoss.compute(
                  f.values(),
                  pb.actions(m, pick(old.values(), rows)),
                  pb.actions(m, pick(returns, rows)),
                  mask);
          loss = loss.add(vl.mul(m.create((float) s.valueCoef())));
        }
        if (s.entropyCoef() > 0) {
          NDArray h = EntropyBonus.meanEntropy(f.predicting(), mask);
          loss = loss.sub(h.mul(m.create((float) s.entropyCoef())));
        }
        if (s.estimator() == Estimator.GRPO && beta > 0) {
          NDArray k3 = KlPenalty.k3Loss(f.logprobs(), pb.actions(m, pick(ref, rows)), mask);
          loss = loss.add(k3.mul(m.create((float) beta)));
        }
        gc.backward(loss);
        out[0] = pr.loss().getFloat();
        out[1] = vl == null ? 0 : vl.getFloat();
        out[2] = pr.clipFraction().getFloat();
        out[3] = pr.approxKl().getFloat();
      }
      out[4] = opt.step(trainable, lr).gradNorm();
    }
    return out;
  }

  private PaddedBatch pad(List<Rollout> batch, int[] rows) {
    List<int[]> prompts = new ArrayList<>(rows.length);
    List<int[]> responses = new ArrayList<>(rows.length);
    for (int r : rows) {
      prompts.add(batch.get(r).prompt());
      responses.add(batch.get(r).response());
    }
    return PaddedBatch.of(prompts, responses, policy.config().nPositions());
  }

  private int[] permutation(int n, int epoch) {
    SplittableRandom rng =
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + version * 0xBF58476D1CE4E5B9L + epoch);
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  private static float[][] pick(float[][] a, int[] rows) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = a[rows[i]];
    }
    return out;
  }

  private static float[][] broadcast(float[] perSequence, List<Rollout> batch) {
    float[][] out = new float[perSequence.length][];
    for (int i = 0; i < out.length; i++) {
      out[i] = new float[batch.get(i).response().length];
      java.util.Arrays.fill(out[i], perSequence[i]);
    }
    return out;
  }

  static double mean(float[] x) {
    double s = 0;
    for (float v : x) {
      s += v;
    }
    return s / x.length;
  }

  static double std(float[] x) {
    double m = mean(x);
    double s = 0;
    for (float v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / x.length);
  }

  private static double tokenMean(float[][] x) {
    return AdvantageWhitening.moments(x, null).mean();
  }

  /** 1 − Var(R − V) / Var(R) over all response tokens. */
  static double explainedVariance(float[][] returns, float[][] values) {
    float[][] diff = new float[returns.length][];
    for (int r = 0; r < returns.length; r++) {
      diff[r] = new float[returns[r].length];
      for (int j = 0; j < diff[r].length; j++) {
        diff[r][j] = returns[r][j] - values[r][j];
      }
    }
    double varR = Math.pow(AdvantageWhitening.moments(returns, null).std(), 2);
    double varD = Math.pow(AdvantageWhitening.moments(diff, null).std(), 2);
    return varR == 0 ? Double.NaN : 1 - varD / varR;
  }

  /** Mean over tokens of (recomputed old logprob − Generate's logprob); ≈ 0 when in sync. */
  private static double behaviourGap(List<Rollout> batch, float[][] old) {
    double s = 0;
    long k = 0;
    for (int i = 0; i < batch.size(); i++) {
      float[] b = batch.get(i).behaviourLogprobs();
      if (b == null) {
        continue;
      }
      for (int j = 0; j < b.length; j++) {
        s += old[i][j] - b[j];
        k++;
      }
    }
    return k == 0 ? Double.NaN : s / k;
  }

  /**
   * Writes an exact-resume checkpoint (atomically): {@code policy/} (config.json +
   * model.safetensors, HF layout), {@code critic/} (separate critic, ScalarHeadModel layout) or
   * {@code value_head.safetensors} (shared head), {@code optimizer.safetensors}, {@code
   * trainer_state.json} (version, seed, β, normaliser state, critic mode).
   */
  public void save(Path dir) {
    CheckpointFiles.writeAtomically(
        dir,
        tmp -> {
          policy.save(tmp.resolve("policy"));
          if (critic != null && sharedCritic) {
            Map<String, NDArray> p = critic.parameters();
            CheckpointFiles.writeTensors(
                tmp.resolve("value_head.safetensors"),
                Map.of("score.weight", p.get("score.weight"), "score.bias", p.get("score.bias")));
          } else if (critic != null) {
            critic.save(tmp.resolve("critic"));
          }
          try (NDManager m = root.newSubManager()) {
            CheckpointFiles.writeTensors(
                tmp.resolve(CheckpointFiles.OPTIMIZER), opt.adam().stateDict(m));
          }
          Map<String, Object> state = new LinkedHashMap<>();
          state.put("kind", KIND);
          state.put("version", version);
          state.put("seed", seed);
          state.put("estimator", s.estimator().name());
          state.put("critic", critic == null ? "none" : sharedCritic ? "shared" : "separate");
          state.put("kl_beta", kl.beta());
          state.put("normalizer", normalizer.state());
          state.put("settings", s);
          CheckpointFiles.writeJson(tmp.resolve(CheckpointFiles.STATE), state);
        });
  }

  /** Continues from {@link #save} with (possibly changed) settings of the same estimator. */
  public static PpoLearner restore(Path dir, PpoSettings s) {
    JsonNode st = CheckpointFiles.readState(dir, KIND);
    if (!s.estimator().name().equals(st.path("estimator").asText())) {
      throw new IllegalArgumentException(
          "checkpoint estimator " + st.path("estimator").asText() + " != " + s.estimator());
    }
    long seed = st.path("seed").asLong();
    String mode = st.path("critic").asText();
    Path criticDir = "separate".equals(mode) ? dir.resolve("critic") : null;
    PpoLearner l = create(s, dir.resolve("policy"), criticDir, seed);
    try (NDManager m = l.root.newSubManager()) {
      if ("shared".equals(mode)) {
        Path head = dir.resolve("value_head.safetensors");
        if (!Files.isRegularFile(head)) {
          throw new IllegalArgumentException(dir + " lacks value_head.safetensors");
        }
        Map<String, NDArray> h = CheckpointFiles.readTensors(m, head);
        h.get("score.weight").copyTo(l.critic.parameters().get("score.weight"));
        h.get("score.bias").copyTo(l.critic.parameters().get("score.bias"));
      }
      l.opt
          .adam()
          .loadStateDict(CheckpointFiles.readTensors(m, dir.resolve(CheckpointFiles.OPTIMIZER)));
      l.version = st.path("version").asLong();
      l.kl.restore(st.path("kl_beta").asDouble());
      JsonNode ns = st.path("normalizer");
      l.normalizer.restore(
          new double[] {ns.get(0).asDouble(), ns.get(1).asDouble(), ns.get(2).asDouble()});
    } catch (RuntimeException e) {
      l.close();
      throw e;
    }
    return l;
  }

  /** A model-svc-loadable directory: config.json + model.safetensors of the policy. */
  public void exportPolicy(Path dir) {
    policy.save(dir);
  }

  @Override
  public void close() {
    opt.close();
    if (critic != null) {
      critic.close(); // closes the policy too when shared
    }
    policy.close();
    root.close();
  }
}
