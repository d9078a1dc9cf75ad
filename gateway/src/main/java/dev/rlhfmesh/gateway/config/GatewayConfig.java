package dev.rlhfmesh.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Every setting of the gateway, under {@code rlhf.gateway}. Defaults are documented in README. */
@ConfigMapping(prefix = "rlhf.gateway")
public interface GatewayConfig {

  /** Accepted API keys (comma-separated). Kept in memory only as SHA-256 hashes. */
  Optional<List<String>> apiKeys();

  /** A mounted secret file with one API key per line ('#' starts a comment); added to api-keys. */
  Optional<String> apiKeysFile();

  /** Per-key token bucket. */
  RateLimit rateLimit();

  /** Largest accepted prompt (or sum of chat message contents), in characters. */
  @WithDefault("65536")
  int maxPromptChars();

  /** Most chat messages in one request. */
  @WithDefault("256")
  int maxMessages();

  /** Upper bound of max_tokens / max_new_tokens a caller may ask for. */
  @WithDefault("1024")
  int maxTokens();

  /** max_tokens when the caller gives none (OpenAI's completions default is 16). */
  @WithDefault("16")
  int defaultMaxTokens();

  /** Upper bound of n (samples per prompt). */
  @WithDefault("8")
  int maxN();

  /** Most stop strings per request (OpenAI allows 4). */
  @WithDefault("4")
  int maxStop();

  /**
   * Deadline given to the downstream calls of an HTTP request, and the cap for a gRPC caller's own
   * deadline (a gRPC call without a deadline gets this one).
   */
  @WithDefault("60s")
  Duration requestTimeout();

  /**
   * Tokenize in-process from this Hugging Face-style tokenizer (a directory with tokenizer.json and
   * optionally tokenizer_config.json, or the tokenizer.json file) instead of calling tokenizer-svc:
   * the same files must give the same ids as the tokenizer-svc the models were trained with. Unset:
   * every call goes to tokenizer-svc ({@code quarkus.grpc.clients.tokenizer.*}). Checked at start.
   */
  Optional<Path> tokenizerPath();

  /** Model used when a request names none. */
  @WithDefault("policy")
  String defaultModel();

  interface RateLimit {
    /** Sustained requests per second per key; 0 turns rate limiting off. */
    @WithDefault("10")
    double requestsPerSecond();

    /** Bucket size: requests a key may make at once after being idle. */
    @WithDefault("20")
    int burst();
  }
}
