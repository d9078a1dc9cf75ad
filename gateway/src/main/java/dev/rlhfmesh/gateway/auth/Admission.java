package dev.rlhfmesh.gateway.auth;

import dev.rlhfmesh.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The edge check shared by HTTP and gRPC: an {@code Authorization: Bearer <key>} value in, a
 * verdict out (admitted, unauthenticated, or rate limited with a retry hint).
 */
@ApplicationScoped
public class Admission {
  private static final Logger LOG = Logger.getLogger(Admission.class);

  /** The outcome of one request's check. */
  public sealed interface Verdict {}

  /** Admitted as the key with this id. */
  public record Admitted(String keyId) implements Verdict {}

  /** Missing or wrong key. */
  public record Unauthenticated(String message) implements Verdict {}

  /** Over the key's rate; retry after this many seconds. */
  public record RateLimited(String message, long retryAfterSeconds) implements Verdict {}

  private final ApiKeys keys;
  private final RateLimiter limiter;

  @Inject
  public Admission(GatewayConfig config) {
    this.keys = ApiKeys.load(config.apiKeys(), config.apiKeysFile());
    this.limiter =
        new RateLimiter(
            config.rateLimit().requestsPerSecond(), config.rateLimit().burst(), System::nanoTime);
    if (keys.size() == 0) {
      LOG.warn(
          "no API keys configured (rlhf.gateway.api-keys / api-keys-file): every API call is refused");
    }
  }

  public Verdict check(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return new Unauthenticated(
          "missing API key: send 'Authorization: Bearer <key>' (gRPC: 'authorization' metadata)");
    }
    Optional<String> id = keys.match(authorization.substring(7).strip());
    if (id.isEmpty()) {
      return new Unauthenticated("invalid API key");
    }
    RateLimiter.Decision d = limiter.acquire(id.get());
    if (!d.allowed()) {
      return new RateLimited(
          "rate limit exceeded for this API key; retry after " + d.retryAfterSeconds() + " s",
          d.retryAfterSeconds());
    }
    return new Admitted(id.get());
  }
}
