package dev.rlhfmesh.gateway.tokenize;

import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.gateway.core.Tokenizer;
import dev.rlhfmesh.gateway.downstream.GrpcTokenizer;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * Which {@link Tokenizer} the gateway uses: in-process ({@link LocalTokenizer}) when {@value #KEY}
 * is set, else tokenizer-svc over gRPC ({@link GrpcTokenizer}, the default). The choice is made and
 * the tokenizer loaded at start: a path that does not hold a loadable tokenizer stops the start
 * with a message naming the key, instead of failing the first request.
 */
@ApplicationScoped
public class TokenizerChoice {
  static final String KEY = "rlhf.gateway.tokenizer-path";

  private static final Logger LOG = Logger.getLogger(TokenizerChoice.class);

  @Produces
  @Singleton
  Tokenizer tokenizer(GatewayConfig config, GrpcTokenizer grpc) {
    if (config.tokenizerPath().isEmpty()) {
      LOG.infof(
          "tokenizing on tokenizer-svc (gRPC client 'tokenizer'); set %s to tokenize in-process",
          KEY);
      return grpc;
    }
    LocalTokenizer local =
        load(config.tokenizerPath().get(), Infrastructure.getDefaultWorkerPool());
    LoadedTokenizer t = local.loaded();
    LOG.infof(
        "tokenizing in-process from %s (%s): vocab %d, eos %d, %s",
        t.source(), KEY, t.vocabSize(), t.eosId(), t.templateNote());
    return local;
  }

  /** Frees the in-process tokenizer's native memory when the app stops. */
  void close(@Disposes Tokenizer tokenizer) {
    if (tokenizer instanceof LocalTokenizer local) {
      local.close();
    }
  }

  /** Resolving the bean at start loads (and so checks) the configured tokenizer. */
  void onStart(@Observes StartupEvent start, Tokenizer tokenizer) {
    LOG.debugf("tokenizer: %s", tokenizer.getClass().getSimpleName());
  }

  /**
   * Loads the tokenizer at {@code path}.
   *
   * @throws IllegalStateException naming {@value #KEY}, the path and what is wrong with it
   */
  static LocalTokenizer load(Path path, Executor worker) {
    Path p = path.toAbsolutePath();
    if (!Files.exists(p)) {
      throw problem(p, "no such file or directory", null);
    }
    try {
      return new LocalTokenizer(LoadedTokenizer.load(p, p.toString()), worker);
    } catch (IOException | RuntimeException e) {
      throw problem(p, "cannot load a tokenizer there: " + e.getMessage(), e);
    }
  }

  private static IllegalStateException problem(Path path, String what, Throwable cause) {
    return new IllegalStateException(
        KEY
            + " = '"
            + path
            + "': "
            + what
            + " (expected a Hugging Face-style tokenizer directory with tokenizer.json and"
            + " optionally tokenizer_config.json, or the tokenizer.json file; unset it to use"
            + " tokenizer-svc)",
        cause);
  }
}
