package dev.rlhfmesh.model.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization", 2019) over named
 * parameters such as {@code Gpt.parameters()}:
 *
 * <pre>
 * m = β1 m + (1 - β1) g;  v = β2 v + (1 - β2) g²
 * p = p - lr (wd p + (m / (1 - β1^t)) / (sqrt(v / (1 - β2^t)) + eps))
 * </pre>
 *
 * Weight decay applies to tensors of rank ≥ 2 (matrices and embeddings), not to biases and
 * LayerNorm weights. The update runs after {@code backward()} and outside any GradientCollector,
 * in-place, so Java scalars are safe here (TOOLCHAIN-NOTES pitfall 1 concerns recorded graphs).
 * Gradients are zeroed after each step. State ({@code <name>.exp_avg}, {@code <name>.exp_avg_sq},
 * {@code step}) exports and imports as a name → NDArray map for safetensors checkpoints.
 */
public final class AdamW implements AutoCloseable {
  private final NDManager manager;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double weightDecay;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long step;

  /**
   * @param parent manager whose child owns the optimizer state
   */
  public AdamW(NDManager parent, double beta1, double beta2, double eps, double weightDecay) {
    this.manager = parent.newSubManager();
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.weightDecay = weightDecay;
  }

  /** β = (0.9, 0.95), eps 1e-8, weight decay 0.1 (GPT-style). */
  public static AdamW withDefaults(NDManager parent) {
    return new AdamW(parent, 0.9, 0.95, 1e-8, 0.1);
  }

  /** Steps taken so far. */
  public long stepCount() {
    return step;
  }

  /** One update of every parameter that has a gradient, then zeroes the gradients. */
  public void step(Map<String, NDArray> params, double lr) {
    step++;
    double bc1 = 1 - Math.pow(beta1, step);
    double bc2 = 1 - Math.pow(beta2, step);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      if (!p.hasGradient()) {
        continue;
      }
      NDArray m = expAvg.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
      NDArray v = expAvgSq.computeIfAbsent(e.getKey(), k -> manager.zeros(p.getShape()));
      try (NDManager sub = manager.newSubManager()) {
        NDArray g = p.getGradient();
        g.attach(sub);
        m.muli((float) beta1).addi(g.mul((float) (1 - beta1)));
        v.muli((float) beta2).addi(g.square().muli((float) (1 - beta2)));
        NDArray vHat = v.div((float) bc2); // results of m/v ops land in the state manager:
        vHat.attach(sub); // move them to the step's manager
        NDArray denom = vHat.sqrt().addi((float) eps);
        NDArray update = m.div((float) bc1);
        update.attach(sub);
        update.divi(denom);
        if (weightDecay > 0 && p.getShape().dimension() >= 2) {
          p.muli((float) (1 - lr * weightDecay));
        }
        p.subi(update.muli((float) lr));
        JniUtils.zeroGrad((PtNDArray) p); // zero the parameter's .grad in place
      }
    }
  }

  /** Zeroes the gradients of the parameters without updating (e.g. after a skipped step). */
  public static void zeroGradients(Map<String, NDArray> params) {
    for (NDArray p : params.values()) {
      if (p.hasGradient()) {
        JniUtils.zeroGrad((PtNDArray) p);
      }
    }
  }

  /** Optimizer state as tensors (copies): {@code name.exp_avg}, {@code name.exp_avg_sq}, step. */
  public Map<String, NDArray> stateDict(NDManager target) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (String k : expAvg.keySet()) {
      NDArray a = expAvg.get(k).duplicate();
      a.attach(target);
      out.put(k + ".exp_avg", a);
      NDArray b = expAvgSq.get(k).duplicate();
      b.attach(target);
      out.put(k + ".exp_avg_sq", b);
    }
    out.put("step", target.create(new long[] {step}, new Shape(1)));
    return out;
  }

  /** Restores state written by {@link #stateDict(NDManager)}. */
  public void loadStateDict(Map<String, NDArray> state) {
    NDArray s = state.get("step");
    if (s == null) {
      throw new IllegalArgumentException("optimizer state lacks tensor step");
    }
    expAvg.values().forEach(NDArray::close);
    expAvgSq.values().forEach(NDArray::close);
    expAvg.clear();
    expAvgSq.clear();
    for (Map.Entry<String, NDArray> e : state.entrySet()) {
      String k = e.getKey();
      if (k.equals("step")) {
        continue;
      }
      NDArray copy = e.getValue().duplicate();
      copy.attach(manager);
      if (k.endsWith(".exp_avg")) {
        expAvg.put(k.substring(0, k.length() - ".exp_avg".length()), copy);
      } else if (k.endsWith(".exp_avg_sq")) {
        expAvgSq.put(k.substring(0, k.length() - ".exp_avg_sq".length()), copy);
      } else {
        copy.close();
        throw new IllegalArgumentException("unknown optimizer tensor " + k);
      }
    }
    step = s.toLongArray()[0];
  }

  @Override
  public void close() {
    manager.close();
  }
}
