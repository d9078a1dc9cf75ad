package dev.rlhfmesh.trainersvc.jobs;

import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.trainersvc.rollout.RolloutSample;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** What the PPO loop needs of the learning core's {@code PpoLearner} (behind an adapter). */
public interface PolicyLearner extends AutoCloseable {
  /** One PPO update on a batch of rollouts; returns its metrics (policy_loss, value_loss, ...). */
  Map<String, Double> learn(List<RolloutSample> batch);

  /** Policy version: 0 as created, +1 per {@link #learn}. */
  long version();

  /** The policy's weights as wire tensors (Hugging Face GPT-2 names), for the replicas. */
  List<TensorBytes> policyWeights();

  /** Everything needed to resume: policy, critic, optimiser, KL controller, RNG. */
  void save(Path dir);

  /** The policy as a directory model-svc loads. */
  void exportPolicy(Path dir);

  @Override
  void close();
}
