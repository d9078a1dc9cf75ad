package dev.rlhfmesh.modelsvc;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.NativeStep;
import dev.rlhfmesh.model.tokenizer.Tokenizers;
import dev.rlhfmesh.modelsvc.config.ModelSvcConfig;
import dev.rlhfmesh.modelsvc.serving.ModelRegistry;
import dev.rlhfmesh.modelsvc.serving.ServedModel;
import dev.rlhfmesh.modelsvc.serving.TextDecoder;
import dev.rlhfmesh.modelsvc.serving.Weights;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Loads every served model at startup (a directory, or a seeded random init of the default shape),
 * starts their schedulers and registers their metrics. Closes them on shutdown.
 */
@Startup
@ApplicationScoped
public class ModelSvcRuntime {
  private static final Logger LOG = Logger.getLogger(ModelSvcRuntime.class);

  private final ModelRegistry registry;
  private final HuggingFaceTokenizer tokenizer;

  @Inject
  public ModelSvcRuntime(ModelSvcConfig config, MeterRegistry meters) {
    this.tokenizer = config.tokenizerPath().map(p -> Tokenizers.load(Path.of(p))).orElse(null);
    TextDecoder decoder = tokenizer == null ? null : ids -> Tokenizers.decode(tokenizer, ids);
    List<ServedModel> models = new ArrayList<>();
    for (String name : config.served()) {
      models.add(load(name, config, decoder));
    }
    this.registry = new ModelRegistry(models);
    // model-core's native step, or DJL ops (no C compiler at build time, switched off, or unbound)
    LOG.infof("cached passes: %s", NativeStep.describe());
    for (ServedModel m : models) {
      Gauge.builder("rlhf_model_queue_depth", m.batcher(), b -> b.queueDepth())
          .description("sequences waiting for a decode slot")
          .tag("model", m.name())
          .register(meters);
      Gauge.builder("rlhf_model_active_sequences", m.batcher(), b -> b.activeSequences())
          .description("sequences being decoded")
          .tag("model", m.name())
          .register(meters);
      FunctionCounter.builder("rlhf_model_tokens_generated", m.batcher(), b -> b.tokensGenerated())
          .description("tokens generated")
          .tag("model", m.name())
          .register(meters);
      FunctionCounter.builder("rlhf_model_decode_steps", m.batcher(), b -> b.steps())
          .description("decode loop steps (tokens generated / steps = mean batch)")
          .tag("model", m.name())
          .register(meters);
      Gauge.builder("rlhf_model_weight_version", m, ServedModel::version)
          .description("weight version being served")
          .tag("model", m.name())
          .register(meters);
    }
  }

  private ServedModel load(String name, ModelSvcConfig config, TextDecoder decoder) {
    ModelSvcConfig.ModelEntry entry = config.models().get(name);
    NDManager root = NDManager.newBaseManager();
    Weights weights;
    if (entry != null && entry.path().isPresent()) {
      Path dir = Path.of(entry.path().get());
      weights = new Weights(Gpt.load(root, dir), entry.version(), dir.toString());
      LOG.infof("model %s: loaded %s as version %d", name, dir, entry.version());
    } else {
      ModelSvcConfig.Init init = config.init();
      int vocab = config.tokenizerPath().map(p -> vocabSize(Path.of(p))).orElse(init.vocabSize());
      GptConfig defaults = GptConfig.smallDefault(vocab); // activation and epsilon of the default
      GptConfig shape =
          new GptConfig(
              vocab,
              init.nPositions(),
              init.nEmbd(),
              init.nLayer(),
              init.nHead(),
              4 * init.nEmbd(),
              defaults.layerNormEpsilon(),
              defaults.activation(),
              -1,
              -1);
      weights = new Weights(Gpt.init(root, shape, init.seed()), 0, "seeded-init:" + init.seed());
      LOG.warnf(
          "model %s: no directory configured (rlhf.model.models.%s.path); serving a seeded random"
              + " init (seed %d, vocab %d, %d layers x %d wide, %d positions)",
          name, name, init.seed(), vocab, init.nLayer(), init.nEmbd(), init.nPositions());
    }
    GptConfig c = weights.gpt().config();
    int eos = c.eosTokenId() >= 0 ? c.eosTokenId() : config.eosTokenId().orElse(-1);
    ModelSvcConfig.Scheduler s = config.scheduler();
    return new ServedModel(
        name, root, weights, eos, decoder, s.maxBatch(), s.queueCapacity(), s.scoreMicroBatch());
  }

  /** Vocabulary size of a tokenizer.json: one more than the largest id it knows. */
  static int vocabSize(Path fileOrDir) {
    Path file = Tokenizers.TokenizerFiles.tokenizerJson(fileOrDir);
    try {
      JsonNode root = new ObjectMapper().readTree(file.toFile());
      int max = -1;
      for (JsonNode id : (Iterable<JsonNode>) () -> root.path("model").path("vocab").elements()) {
        max = Math.max(max, id.asInt());
      }
      for (JsonNode t : root.path("added_tokens")) {
        max = Math.max(max, t.path("id").asInt());
      }
      return max + 1;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  public ModelRegistry registry() {
    return registry;
  }

  @PreDestroy
  void close() {
    registry.close();
    if (tokenizer != null) {
      tokenizer.close();
    }
  }
}
