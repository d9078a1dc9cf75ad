package dev.rlhfmesh.trainersvc.learn;

/** How advantages are estimated. */
public enum Estimator {
  /** PPO with a critic: per-token KL rewards and GAE (Schulman et al. 2016, 2017). */
  GAE,
  /** Group-normalised sequence advantages, k3 KL in the loss (Shao et al. 2024). */
  GRPO,
  /** Leave-one-out baseline on KL-penalised sequence rewards (Ahmadian et al. 2024). */
  RLOO
}
