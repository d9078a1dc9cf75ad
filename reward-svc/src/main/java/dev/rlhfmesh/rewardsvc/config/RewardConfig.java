package dev.rlhfmesh.rewardsvc.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** Every {@code rlhf.reward.*} key of reward-svc; the README lists them with their defaults. */
@ConfigMapping(prefix = "rlhf.reward")
public interface RewardConfig {

  /** Reward specs by name: {@code rlhf.reward.specs.<name>.type=...} plus per-type keys. */
  Map<String, SpecConfig> specs();

  /** Most samples in one Score call. */
  @WithDefault("1024")
  int maxSamples();

  /** Most prompt or response ids per sample. */
  @WithDefault("4096")
  int maxSampleTokens();

  /** Most characters of prompt or response text per sample. */
  @WithDefault("65536")
  int maxSampleChars();

  /** End-of-sequence text stripped from the end of response texts before rules read them. */
  @WithDefault("<|endoftext|>")
  String endToken();

  /**
   * Intra-op threads of each reward model's forward passes (set on its batcher thread); unset =
   * PyTorch's default (all cores).
   */
  OptionalInt torchThreads();

  Batching batching();

  Admin admin();

  /** Dynamic batching of learned-model forward passes. */
  interface Batching {
    /** Most sequences in one forward pass. */
    @WithDefault("32")
    int maxBatchSize();

    /** Longest wait for more sequences once one is queued, in milliseconds. */
    @WithDefault("5")
    long maxWaitMs();

    /** Most sequences queued at once per model; beyond it Score answers RESOURCE_EXHAUSTED. */
    @WithDefault("4096")
    int maxQueued();
  }

  /** The weight-update admin server (a separate gRPC port). */
  interface Admin {
    /** Address it binds. */
    @WithDefault("0.0.0.0")
    String host();

    /** Its port (0: any free one). */
    @WithDefault("9103")
    int port();

    /** Bearer token every admin call must carry; none configured → no admin server. */
    Optional<String> token();

    /** A staged update untouched this long is dropped. */
    @WithDefault("10m")
    Duration staleUpdateTtl();

    /** Bytes all open staged updates may hold together. */
    @WithDefault("4294967296")
    long maxStagedBytes();
  }

  /** One spec; which keys apply depends on {@link #type()} (see the README). */
  interface SpecConfig {
    /** model, exact-match, regex, length, format, banned or composite. */
    String type();

    // --- model ---
    /** Hugging Face-style directory (config.json + model.safetensors with score.*). */
    Optional<String> path();

    /** Seed of the init used when no path is set. */
    @WithDefault("0")
    long seed();

    /** Vocabulary size of the seeded init (match the tokenizer's). */
    @WithDefault("512")
    int initVocabSize();

    // --- exact-match / regex / format ---
    /** Value when the rule holds. */
    @WithDefault("1")
    float matchValue();

    /** Value when it does not. */
    @WithDefault("0")
    float missValue();

    // --- regex / format ---
    /** Java regular expression (regex: searched or fully matched; format: whole response). */
    Optional<String> pattern();

    /** regex: {@code find} (occurs anywhere) or {@code full} (matches the whole response). */
    @WithDefault("find")
    String match();

    /** format: digits, integer or number (or set pattern instead). */
    Optional<String> format();

    // --- length ---
    /** Target length; unset → plain length penalty. */
    OptionalInt target();

    /** tokens or chars. */
    @WithDefault("tokens")
    String unit();

    /** Reward per unit of distance from the target (or of length). */
    @WithDefault("1")
    float scale();

    // --- banned ---
    /** Banned strings (comma-separated; escape a comma as \\,). */
    Optional<List<String>> strings();

    /** banned: match case exactly. */
    @WithName("case-sensitive")
    @WithDefault("false")
    boolean caseSensitive();

    /** banned: reward per distinct banned string found (subtracted). */
    @WithDefault("1")
    float penalty();

    // --- composite ---
    /** Components as {@code name:weight} (weight defaults to 1), in order. */
    Optional<List<String>> components();

    /** Clip the final reward below. */
    OptionalDouble clipMin();

    /** Clip the final reward above. */
    OptionalDouble clipMax();

    /** Normalise by running mean/std of this spec's raw totals. */
    @WithDefault("false")
    boolean normalise();

    /** Added to the variance before the square root. */
    @WithDefault("1e-8")
    double normaliseEpsilon();
  }
}
