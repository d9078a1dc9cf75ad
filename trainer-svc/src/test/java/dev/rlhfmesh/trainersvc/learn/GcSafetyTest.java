package dev.rlhfmesh.trainersvc.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.training.GradientCollector;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.model.scoring.Logprobs;
import dev.rlhfmesh.trainersvc.learn.ppo.EntropyBonus;
import dev.rlhfmesh.trainersvc.learn.ppo.KlPenalty;
import dev.rlhfmesh.trainersvc.learn.ppo.PolicyLoss;
import dev.rlhfmesh.trainersvc.learn.ppo.ValueLoss;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TOOLCHAIN-NOTES pitfall 1: a Java scalar in recorded arithmetic is freed while autograd still
 * needs it, and a GC between forward and backward corrupts the gradients. The full PPO loss (policy
 * + value + entropy + k3) with forced GCs must give exactly the gradients of a run without.
 */
class GcSafetyTest {

  @Test
  void ppoLoss_gradientsIdenticalWhenGcRunsBetweenForwardAndBackward() throws Exception {
    List<float[]> quiet = gradients(false);
    List<float[]> collected = gradients(true);
    for (int i = 0; i < quiet.size(); i++) {
      assertArrayEquals(quiet.get(i), collected.get(i), "tensor " + i);
    }
    double sum = 0;
    for (float[] g : quiet) {
      for (float v : g) {
        sum += Math.abs(v);
      }
    }
    assertTrue(sum > 0, "gradients must not be all zero");
  }

  private static List<float[]> gradients(boolean gc) throws Exception {
    List<Rollout> batch = TinyWorld.syntheticRollouts(3, 6, 12);
    List<int[]> prompts = batch.stream().map(Rollout::prompt).toList();
    List<int[]> responses = batch.stream().map(Rollout::response).toList();
    PaddedBatch pb = PaddedBatch.of(prompts, responses, 16);
    float[][] adv = new float[batch.size()][];
    float[][] oldLp = new float[batch.size()][];
    float[][] ref = new float[batch.size()][];
    for (int i = 0; i < adv.length; i++) {
      int n = responses.get(i).length;
      adv[i] = new float[n];
      oldLp[i] = new float[n];
      for (int j = 0; j < n; j++) {
        adv[i][j] = (i % 3) - 1 + 0.25f * j;
        oldLp[i][j] = -2.4f + 0.1f * j;
      }
      ref[i] = batch.get(i).refLogprobs();
    }
    try (NDManager root = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(root, TinyWorld.tiny(), 11)) {
      model.setTrainable(true);
      Gpt policy = model.backbone();
      List<float[]> out = new ArrayList<>();
      try (NDManager m = root.newSubManager()) {
        try (GradientCollector c = m.getEngine().newGradientCollector()) {
          NDArray ids = pb.ids(m);
          NDArray mask = pb.actionMask(m);
          NDArray h = policy.hidden(ids, pb.attention(m));
          NDArray logits = policy.lmHead(h).get(new NDIndex(":, :-1"));
          NDArray lp = Logprobs.tokenLogprobs(logits, ids.get(new NDIndex(":, 1:")));
          NDArray values = model.values(ids, pb.attention(m)).get(new NDIndex(":, :-1"));
          NDArray loss =
              new PolicyLoss(0.2)
                  .compute(lp, pb.actions(m, oldLp), pb.actions(m, adv), mask)
                  .loss()
                  .add(
                      new ValueLoss(0.2)
                          .compute(values, pb.actions(m, oldLp), pb.actions(m, adv), mask)
                          .mul(m.create(0.1f)))
                  .sub(EntropyBonus.meanEntropy(logits, mask).mul(m.create(0.01f)))
                  .add(KlPenalty.k3Loss(lp, pb.actions(m, ref), mask).mul(m.create(0.3f)));
          if (gc) {
            for (int i = 0; i < 3; i++) {
              System.gc();
              Thread.sleep(50);
            }
          }
          c.backward(loss);
        }
        for (NDArray p : model.parameters().values()) {
          try (NDArray g = p.getGradient()) {
            out.add(g.toFloatArray());
          }
        }
      }
      return out;
    }
  }
}
