package dev.rlhfmesh.trainersvc.learn.bench;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.trainersvc.learn.Estimator;
import dev.rlhfmesh.trainersvc.learn.PpoLearner;
import dev.rlhfmesh.trainersvc.learn.PpoSettings;
import dev.rlhfmesh.trainersvc.learn.Rollout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Learning time of one PPO iteration at the DEMO-NOTES size (not a test; prints figures). The
 * reference run measured ~465 ms per iteration in PyTorch eager on 2 cores: 256 rollouts of the
 * addition task (prompt "23+58=", 6 tokens; answer + end, 3 tokens), d_model 128, 4 layers, 4
 * heads, 4 epochs × 4 minibatches of 64, value head on the policy.
 *
 * <p>Run (after {@code ./mvnw -o -pl model-core,trainer-svc test-compile}):
 *
 * <pre>
 * cd trainer-svc && java -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
 *   -Dai.djl.pytorch.num_threads=2 -Dai.djl.pytorch.num_interop_threads=1 \
 *   -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *   dev.rlhfmesh.trainersvc.learn.bench.PpoLearnBenchmark [iterations] [estimator]
 * </pre>
 *
 * With one intra-op thread the main thread's CPU time is the compute time, a fairer figure than
 * wall time when the machine is shared. ({@code target/cp.txt} from {@code ../mvnw -o -q dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt}.)
 */
public final class PpoLearnBenchmark {
  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private PpoLearnBenchmark() {}

  public static void main(String[] args) throws Exception {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 6;
    Estimator estimator = args.length > 1 ? Estimator.valueOf(args[1]) : Estimator.GAE;
    // digits 0-9 → ids 2..11, '+' 12, '=' 13, end 1, pad 0
    GptConfig config = new GptConfig(14, 64, 128, 4, 4, 512, 1e-5f, "gelu_new", -1, 1);
    Path dir = Files.createTempDirectory("ppo-bench");
    try (NDManager m = NDManager.newBaseManager();
        Gpt g = Gpt.init(m, config, 1)) {
      g.save(dir);
    }
    PpoSettings s = PpoSettings.demoDefaults().withEstimator(estimator);
    System.out.printf(
        "threads: num_threads=%s interop=%s; estimator %s; %d rollouts, %d epochs x minibatch %d%n",
        System.getProperty("ai.djl.pytorch.num_threads", "default"),
        System.getProperty("ai.djl.pytorch.num_interop_threads", "default"),
        estimator,
        256,
        s.ppoEpochs(),
        s.minibatchSize());
    double sum = 0;
    double oldSum = 0;
    double cpuSum = 0;
    int measured = 0;
    try (PpoLearner l = PpoLearner.create(s, dir, null, 7)) {
      for (int it = 0; it < iterations; it++) {
        List<Rollout> batch = rollouts(it);
        long cpu0 = THREADS.getCurrentThreadCpuTime();
        Map<String, Double> r = l.learn(batch);
        double cpuMs = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6;
        System.out.printf(
            "iteration %d: learn_ms %.1f (old pass %.1f), main-thread CPU %.1f ms, policy_loss"
                + " %.4f, value_loss %.4f%n",
            it,
            r.get("learn_ms"),
            r.get("old_pass_ms"),
            cpuMs,
            r.get("policy_loss"),
            r.get("value_loss"));
        if (it >= 1) { // the first iteration warms up the engine
          cpuSum += cpuMs;
          sum += r.get("learn_ms");
          oldSum += r.get("old_pass_ms");
          measured++;
        }
      }
    }
    System.out.printf(
        "mean learn_ms over %d iterations: %.1f (old logprobs/values pass %.1f), main-thread CPU"
            + " %.1f ms; PyTorch reference ~465 (+31 old pass)%n",
        measured,
        sum / measured,
        oldSum / measured,
        cpuSum / measured);
  }

  /** 32 prompts × 8 answers of the addition task, random answers and scores. */
  static List<Rollout> rollouts(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Rollout> out = new ArrayList<>();
    for (int p = 0; p < 32; p++) {
      int a = r.nextInt(10, 100);
      int b = r.nextInt(10, 100);
      int[] prompt = {2 + a / 10, 2 + a % 10, 12, 2 + b / 10, 2 + b % 10, 13};
      for (int k = 0; k < 8; k++) {
        int[] response = {2 + r.nextInt(10), 2 + r.nextInt(10), 1};
        float[] lp = {-2.3f, -2.3f, -0.5f};
        out.add(new Rollout(prompt, response, lp, lp.clone(), r.nextInt(2), true, seed, p));
      }
    }
    return out;
  }
}
