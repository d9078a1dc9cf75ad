package dev.rlhfmesh.trainersvc.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.train.Losses;
import dev.rlhfmesh.model.train.LrSchedule;
import dev.rlhfmesh.trainersvc.learn.ckpt.ModelFiles;
import dev.rlhfmesh.trainersvc.learn.ckpt.SupervisedCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Supervised fine-tuning: next-token cross-entropy on the response tokens only (the prompt is
 * context, masked out of the loss):
 *
 * <pre>
 * L = − Σ_{r, j} log p_θ(y_{r,j} | x_r, y_{r,&lt;j}) / Σ_r |y_r|
 * </pre>
 *
 * AdamW with linear warm-up and cosine decay (model-core's {@link LrSchedule}), global-norm
 * gradient clipping. Deterministic: the only randomness is the seeded initialisation; the caller
 * chooses the data order. Not thread-safe.
 *
 * <p>Checkpoint: {@code model/} (config.json + model.safetensors), {@code optimizer.safetensors}
 * (AdamW moments and step), {@code trainer_state.json}. Restoring and continuing with the same data
 * gives bit-identical weights to an uninterrupted run.
 */
public final class SftTrainer implements AutoCloseable {
  static final String KIND = "sft";
  private final SftSettings settings;
  private final NDManager root;
  private final Gpt model;
  private final Optimization opt;
  private final LrSchedule schedule;
  private final long seed;

  private SftTrainer(SftSettings s, NDManager root, Gpt model, long seed) {
    this.settings = s;
    this.root = root;
    this.model = model;
    this.seed = seed;
    this.schedule = new LrSchedule(s.learningRate(), s.warmupSteps(), s.steps(), s.minLrRatio());
    this.opt = new Optimization(root, s.weightDecay(), s.gradClip());
    model.setTrainable(true);
  }

  /**
   * @param modelDirOrNull a Hugging Face GPT-2 directory to start from, or null for a fresh model
   * @param configIfInit the shape of a fresh model (ignored when a directory is given)
   */
  public static SftTrainer create(
      SftSettings s, Path modelDirOrNull, GptConfig configIfInit, long seed) {
    NDManager root = NDManager.newBaseManager();
    try {
      Gpt gpt =
          modelDirOrNull != null
              ? ModelFiles.loadGpt(root, modelDirOrNull)
              : Gpt.init(root, requireConfig(configIfInit), seed);
      return new SftTrainer(s, root, gpt, seed);
    } catch (RuntimeException e) {
      root.close();
      throw e;
    }
  }

  static GptConfig requireConfig(GptConfig c) {
    if (c == null) {
      throw new IllegalArgumentException("need a model directory or a config to initialise");
    }
    return c;
  }

  public Gpt model() {
    return model;
  }

  /** Optimizer steps taken. */
  public long steps() {
    return opt.steps();
  }

  /** One optimizer step on a batch: loss, lr, grad_norm, tokens, step_ms. */
  public Map<String, Double> step(List<TokenizedExample> batch) {
    long t0 = System.nanoTime();
    PaddedBatch pb = pad(batch);
    double lr = schedule.at(opt.steps());
    double loss;
    double tokens;
    Optimization.Step st;
    try (NDManager m = root.newSubManager()) {
      try (GradientCollector gc = m.getEngine().newGradientCollector()) {
        NDArray mask = pb.actionMask(m);
        NDArray l = loss(m, pb, mask);
        gc.backward(l);
        loss = l.getFloat();
        tokens = mask.sum().getFloat();
      }
      st = opt.step(model.parameters(), lr);
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("loss", loss);
    out.put("lr", st.lr());
    out.put("grad_norm", st.gradNorm());
    out.put("tokens", tokens);
    out.put("step_ms", (System.nanoTime() - t0) / 1e6);
    return out;
  }

  /** Token-weighted mean loss over {@code eval} (no gradients): eval_loss, eval_tokens. */
  public Map<String, Double> evaluate(List<TokenizedExample> eval) {
    double sum = 0;
    double tokens = 0;
    for (int from = 0; from < eval.size(); from += settings.batchSize()) {
      List<TokenizedExample> chunk =
          eval.subList(from, Math.min(eval.size(), from + settings.batchSize()));
      PaddedBatch pb = pad(chunk);
      try (NDManager m = root.newSubManager()) {
        NDArray mask = pb.actionMask(m);
        double n = mask.sum().getFloat();
        sum += loss(m, pb, mask).getFloat() * n;
        tokens += n;
      }
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("eval_loss", tokens == 0 ? Double.NaN : sum / tokens);
    out.put("eval_tokens", tokens);
    return out;
  }

  private NDArray loss(NDManager m, PaddedBatch pb, NDArray mask) {
    NDArray ids = pb.ids(m); // (B, L)
    NDArray logits = model.forward(ids, pb.attention(m)); // (B, L, V)
    return Losses.crossEntropy(
        logits.get(new NDIndex(":, :-1")), ids.get(new NDIndex(":, 1:")), mask); // scalar
  }

  private PaddedBatch pad(List<TokenizedExample> batch) {
    List<int[]> prompts = new ArrayList<>();
    List<int[]> responses = new ArrayList<>();
    for (TokenizedExample e : batch) {
      prompts.add(e.prompt());
      responses.add(e.response());
    }
    return PaddedBatch.of(prompts, responses, model.config().nPositions());
  }

  /** Writes the full training state (atomically). */
  public void save(Path dir) {
    SupervisedCheckpoint.save(dir, KIND, seed, settings, model::save, opt.adam(), root);
  }

  /** Continues from {@link #save}; the settings may differ (e.g. more steps). */
  public static SftTrainer restore(Path dir, SftSettings s) {
    long seed = SupervisedCheckpoint.seed(dir, KIND);
    SftTrainer t = create(s, SupervisedCheckpoint.modelDir(dir), null, seed);
    try {
      SupervisedCheckpoint.loadOptimizer(dir, t.opt.adam(), t.root);
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  /** A model-svc-loadable directory: config.json + model.safetensors (HF layout). */
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
