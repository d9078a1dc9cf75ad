package dev.rlhfmesh.modelsvc.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Every setting of model-svc, under {@code rlhf.model}. See model-svc/README.md for the table. */
@ConfigMapping(prefix = "rlhf.model")
public interface ModelSvcConfig {

  /** Names of the served models ({@code rlhf.model.served}). */
  @WithDefault("policy,reference")
  List<String> served();

  /** Per-model settings ({@code rlhf.model.models.<name>.*}); a model without any is seeded. */
  Map<String, ModelEntry> models();

  /** {@code tokenizer.json} (file or directory) for stop strings, eos and the seeded vocab size. */
  Optional<String> tokenizerPath();

  /** End-of-sequence id when config.json has none (otherwise -1: no eos). */
  OptionalInt eosTokenId();

  /** Seeded random init used when a model has no directory. */
  Init init();

  /** Continuous-batching scheduler, one per model. */
  Scheduler scheduler();

  /** The admin port carrying weight updates. */
  Admin admin();

  /** One served model. */
  interface ModelEntry {
    /** Hugging Face-style directory (config.json + model.safetensors); empty = seeded init. */
    Optional<String> path();

    /** Weight version the loaded directory counts as (a late replica catching up sets it). */
    @WithDefault("0")
    long version();
  }

  /** Shape of the seeded default model (the model-core small default). */
  interface Init {
    @WithDefault("1234")
    long seed();

    /** Vocabulary when no tokenizer is configured. */
    @WithDefault("512")
    int vocabSize();

    @WithDefault("64")
    int nPositions();

    @WithDefault("128")
    int nEmbd();

    @WithDefault("4")
    int nLayer();

    @WithDefault("4")
    int nHead();
  }

  /** Scheduler limits. */
  interface Scheduler {
    /** Sequences decoded together (KV-cache slots). */
    @WithDefault("32")
    int maxBatch();

    /** Sequences allowed to wait for a slot; more is RESOURCE_EXHAUSTED. */
    @WithDefault("1024")
    int queueCapacity();

    /** Samples per prompt allowed in one request. */
    @WithDefault("64")
    int maxSamples();

    /** Rows per forward pass of ScoreSequences. */
    @WithDefault("8")
    int scoreMicroBatch();
  }

  /** Admin server (weight updates). */
  interface Admin {
    @WithDefault("0.0.0.0")
    String host();

    @WithDefault("9102")
    int port();

    /** Bearer token (env RLHF_MODEL_ADMIN_TOKEN); without one the admin server does not start. */
    Optional<String> token();

    /** A staged update untouched this long is dropped. */
    @WithDefault("10m")
    Duration staleUpdateTtl();

    /** Bytes all open staged updates may hold together. */
    @WithDefault("4294967296")
    long maxStagedBytes();
  }
}
