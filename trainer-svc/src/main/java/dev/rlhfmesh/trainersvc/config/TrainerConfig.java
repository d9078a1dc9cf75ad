package dev.rlhfmesh.trainersvc.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every {@code rlhf.trainer.*} key of trainer-svc (defaults in README). */
@ConfigMapping(prefix = "rlhf.trainer")
public interface TrainerConfig {
  /** Root of job state: {@code <data-dir>/jobs/<id>/job.json, metrics.jsonl, checkpoints/}. */
  @WithDefault("trainer-data")
  String dataDir();

  /** tokenizer.json (file or directory) used when a spec names none. */
  Optional<String> tokenizerPath();

  /**
   * model-svc policy replicas, {@code host:port} each; a host that resolves to several A records
   * counts as one replica per address.
   */
  @WithDefault("localhost:9002")
  List<String> policyReplicas();

  /**
   * Admin ports (WeightAdminService) of the same replicas, paired with them by host (any order; may
   * also list replicas that are not serving yet).
   */
  @WithDefault("localhost:9102")
  List<String> policyAdminReplicas();

  /** Bearer token of the admin ports. */
  Optional<String> adminToken();

  /** Generate calls in flight per replica. */
  @WithDefault("2")
  int generateConcurrency();

  /** Deadline of one downstream call (Generate, Score, ScoreSequences, one weight push). */
  @WithDefault("120s")
  Duration callTimeout();

  /** Attempts of one rollout request or one replica's weight push before giving up. */
  @WithDefault("4")
  int maxAttempts();

  /** Bytes per UploadChunks message when pushing weights. */
  @WithDefault("1048576")
  int syncChunkBytes();

  /** Jobs that train at the same time (the rest wait QUEUED). */
  @WithDefault("1")
  int maxRunningJobs();

  /** Resume jobs that were RUNNING or QUEUED when the trainer stopped. */
  @WithDefault("true")
  boolean resumeOnStart();
}
