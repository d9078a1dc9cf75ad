package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.train.LrSchedule;
import dev.rlhfmesh.trainersvc.learn.ckpt.ModelFiles;
import dev.rlhfmesh.trainersvc.learn.ckpt.SupervisedCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reward model training with the Bradley–Terry pairwise loss (Ouyang et al., "Training language
 * models to follow instructions with human feedback", 2022, eq. 1; margin as in Touvron et al.,
 * Llama 2, 2023, eq. 2):
 *
 * <pre>
 * L = − mean log σ(r_θ(x, y_c) − r_θ(x, y_r) − m)
 *   = mean softplus(−d),  softplus(z) = max(z, 0) + log(1 + exp(−|z|))   (stable form)
 * </pre>
 *
 * r_θ is a {@link ScalarHeadModel} read at each sequence's last real token (right padding; the
 * attention mask, not a pad id, says where a sequence ends). Chosen and rejected sequences go
 * through one forward pass of 2B rows. Checkpoint layout as {@link SftTrainer}, the model saved in
 * the {@link ScalarHeadModel#save} layout that reward-svc loads.
 */
public final class RewardModelTrainer implements AutoCloseable {
  static final String KIND = "reward_model";
  private final RmSettings settings;
  private final NDManager root;
  private final ScalarHeadModel model;
  private final Optimization opt;
  private final LrSchedule schedule;
  private final long seed;

  private RewardModelTrainer(RmSettings s, NDManager root, ScalarHeadModel model, long seed) {
    this.settings = s;
    this.root = root;
    this.model = model;
    this.seed = seed;
    this.schedule = new LrSchedule(s.learningRate(), s.warmupSteps(), s.steps(), s.minLrRatio());
    this.opt = new Optimization(root, s.weightDecay(), s.gradClip());
    model.setTrainable(true);
  }

  /**
   * @param backboneDirOrNull an SFT model directory (a fresh head is added) or a reward-model
   *     directory (its head is kept); null for a fresh model of {@code configIfInit}
   */
  public static RewardModelTrainer create(
      RmSettings s, Path backboneDirOrNull, GptConfig configIfInit, long seed) {
    NDManager root = NDManager.newBaseManager();
    try {
      return new RewardModelTrainer(
          s, root, loadOrInit(root, backboneDirOrNull, configIfInit, seed), seed);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  /** A scalar-head model from a reward-model dir, a plain GPT-2 dir (fresh head), or init. */
  static ScalarHeadModel loadOrInit(NDManager root, Path dir, GptConfig configIfInit, long seed) {
    if (dir == null) {
      return ScalarHeadModel.init(root, SftTrainer.requireConfig(configIfInit), seed);
    }
    return ModelFiles.loadScalarHead(root, dir, seed);
  }

  public ScalarHeadModel model() {
    return model;
  }

  public long steps() {
    return opt.steps();
  }

  /** One optimizer step: loss, accuracy, lr, grad_norm, step_ms. */
  public Map<String, Double> step(List<PreferencePair> batch) {
    long t0 = System.nanoTime();
    double lr = schedule.at(opt.steps());
    float[] lossAcc;
    Optimization.Step st;
    try (NDManager m = root.newSubManager()) {
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray[] la = lossAndAccuracy(m, batch);
        gc.backward(la[0]);
        lossAcc = new float[] {la[0].getFloat(), la[1].getFloat()};
      }
      st = opt.step(model.parameters(), lr);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loss", (double) lossAcc[0]);
    out.put("accuracy", (double) lossAcc[1]);
    out.put("lr", st.lr());
    out.put("grad_norm", st.gradNorm());
    out.put("step_ms", (System.nanoTime() - t0) / 1e6);
    return out;
  }

  /** eval_accuracy (fraction with r_chosen &gt; r_rejected) and eval_loss, no gradients. */
  public Map<String, Double> evaluate(List<PreferencePair> eval) {
    double loss = 0;
    double acc = 0;
    for (int from = 0; from < eval.size(); from += settings.batchSize()) {
      List<PreferencePair> chunk =
          eval.subList(from, Math.min(eval.size(), from + settings.batchSize()));
      try (NDManager m = root.newSubManager()) {
        NDArray[] la = lossAndAccuracy(m, chunk);
        loss += la[0].getFloat() * chunk.size();
        acc += la[1].getFloat() * chunk.size();
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("eval_accuracy", acc / eval.size());
    out.put("eval_loss", loss / eval.size());
    return out;
  }

  /** {loss, accuracy} scalars for a batch; NDArray-only arithmetic in the recorded graph. */
  private NDArray[] lossAndAccuracy(NDManager m, List<PreferencePair> batch) {
    int b = batch.size();
    List<int[]> prompts = new ArrayList<>();
    List<int[]> responses = new ArrayList<>();
    for (PreferencePair p : batch) {
      prompts.add(p.prompt());
      responses.add(p.chosen());
    }
    for (PreferencePair p : batch) {
      prompts.add(p.prompt());
      responses.add(p.rejected());
    }
    PaddedBatch pb = PaddedBatch.of(prompts, responses, model.config().nPositions());
    NDArray scores = model.scores(pb.ids(m), pb.attention(m)); // (2B)
    NDArray chosen = scores.get(new NDIndex("0:{}", b)); // (B)
    NDArray rejected = scores.get(new NDIndex("{}:", b)); // (B)
    NDArray zero = m.create(0f);
    NDArray one = m.create(1f);
    NDArray margin = m.create((float) settings.margin());
    NDArray z = rejected.sub(chosen).add(margin); // −d
    NDArray softplus = z.maximum(zero).add(z.abs().neg().exp().add(one).log()); // (B)
    NDArray loss = softplus.mean();
    NDArray accuracy = chosen.gt(rejected).toType(DataType.FLOAT32, false).mean();
    return new NDArray[] {loss, accuracy};
  }

  public void save(Path dir) {
    SupervisedCheckpoint.save(dir, KIND, seed, settings, model::save, opt.adam(), root);
  }

  public static RewardModelTrainer restore(Path dir, RmSettings s) {
    long seed = SupervisedCheckpoint.seed(dir, KIND);
    RewardModelTrainer t = create(s, SupervisedCheckpoint.modelDir(dir), null, seed);
    try {
      SupervisedCheckpoint.loadOptimizer(dir, t.opt.adam(), t.root);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** A reward-svc-loadable directory ({@link ScalarHeadModel#save} layout). */
  public void exportModel(Path dir) {
    model.save(dir);
  }

  @Override
  public void close() {
    opt.close();
    model.close();
    root.close();
  }
}
