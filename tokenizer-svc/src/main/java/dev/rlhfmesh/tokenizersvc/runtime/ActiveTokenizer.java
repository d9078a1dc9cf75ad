package dev.rlhfmesh.tokenizersvc.runtime;

import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.tokenizersvc.config.TokenizerConfig;
import dev.rlhfmesh.tokenizersvc.core.BpeModel;
import dev.rlhfmesh.tokenizersvc.core.BuiltInCorpus;
import dev.rlhfmesh.tokenizersvc.core.TokenizerJsonWriter;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * The tokenizer being served. Loaded at startup from {@code rlhf.tokenizer.path}, or, when that is
 * unset, trained from the built-in corpus into {@code rlhf.tokenizer.data-dir} so the service
 * always starts. TrainTokenizer with load_after_training swaps in a new one atomically; the old one
 * is left to the garbage collector (closing it could free it under a call still using it).
 */
@ApplicationScoped
public class ActiveTokenizer {
  private static final Logger LOG = Logger.getLogger(ActiveTokenizer.class);

  private final TokenizerConfig config;
  private final AtomicReference<LoadedTokenizer> current = new AtomicReference<>();

  public ActiveTokenizer(TokenizerConfig config) {
    this.config = config;
  }

  void onStart(@Observes StartupEvent event) {
    get();
  }

  /** The tokenizer in use (loaded on first use if startup has not loaded it yet). */
  public LoadedTokenizer get() {
    LoadedTokenizer t = current.get();
    if (t != null) {
      return t;
    }
    synchronized (this) {
      if (current.get() == null) {
        current.set(loadConfigured());
      }
      return current.get();
    }
  }

  /** Serves {@code next} from now on. */
  public void replace(LoadedTokenizer next) {
    current.set(next);
    LOG.infof("now serving tokenizer from %s (vocab %d)", next.source(), next.vocabSize());
  }

  private LoadedTokenizer loadConfigured() {
    try {
      if (config.path().isPresent()) {
        Path p = config.path().get().toAbsolutePath();
        LoadedTokenizer t = LoadedTokenizer.load(p, p.toString());
        LOG.infof("tokenizer loaded from %s: vocab %d, %s", p, t.vocabSize(), t.templateNote());
        return t;
      }
      long start = System.nanoTime();
      BpeModel model = BuiltInCorpus.trainDefault(config.defaultVocabSize());
      Path dir = config.dataDir().toAbsolutePath();
      TokenizerJsonWriter.write(model, dir, ChatTemplate.DEFAULT);
      String source =
          "built-in default: trained at startup from classpath:"
              + BuiltInCorpus.RESOURCE
              + " into "
              + dir
              + " (rlhf.tokenizer.path is unset)";
      LoadedTokenizer t = LoadedTokenizer.load(dir, source);
      LOG.infof(
          "no rlhf.tokenizer.path set: trained the default byte-level BPE tokenizer (vocab %d, %d"
              + " merges, %.2f bytes/token) from the built-in corpus into %s in %d ms",
          model.vocabSize(),
          model.merges().size(),
          model.bytesPerToken(),
          dir,
          (System.nanoTime() - start) / 1_000_000);
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot load the tokenizer: " + e.getMessage(), e);
    }
  }
}
