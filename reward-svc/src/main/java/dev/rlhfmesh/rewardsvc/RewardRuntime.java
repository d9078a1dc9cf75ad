package dev.rlhfmesh.rewardsvc;

import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.rewardsvc.config.RewardConfig;
import dev.rlhfmesh.rewardsvc.config.RewardSpecFactory;
import dev.rlhfmesh.rewardsvc.core.Limits;
import dev.rlhfmesh.rewardsvc.core.ModelScorer;
import dev.rlhfmesh.rewardsvc.core.RewardEngine;
import dev.rlhfmesh.rewardsvc.core.RewardSpec;
import dev.rlhfmesh.rewardsvc.core.TextCodec;
import dev.rlhfmesh.rewardsvc.model.BatchedRewardModel;
import dev.rlhfmesh.rewardsvc.model.LearnedRewardModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Wires reward-svc at start: builds every configured spec (loading learned models, each behind its
 * own dynamic batcher with a batch-size metric) and the engine that scores with them.
 */
@Startup
@ApplicationScoped
public class RewardRuntime {
  /** Micrometer distribution summary of forward-pass batch sizes, tagged by spec. */
  public static final String BATCH_SIZE_METRIC = "rlhf_reward_batch_size";

  private final Map<String, BatchedRewardModel> models = new LinkedHashMap<>();
  private final RewardEngine engine;

  public RewardRuntime(RewardConfig config, TextCodec codec, MeterRegistry registry) {
    RewardConfig.Batching b = config.batching();
    OptionalInt threads = config.torchThreads();
    Map<String, RewardSpec> specs =
        RewardSpecFactory.build(
            config, (name, spec) -> batchedModel(name, spec, b, threads, registry));
    this.engine =
        new RewardEngine(
            specs,
            codec,
            new Limits(
                config.maxSamples(),
                config.maxSampleTokens(),
                config.maxSampleChars(),
                config.endToken()));
  }

  private ModelScorer batchedModel(
      String name,
      RewardConfig.SpecConfig spec,
      RewardConfig.Batching b,
      OptionalInt threads,
      MeterRegistry registry) {
    LearnedRewardModel model;
    if (spec.path().isPresent() && !spec.path().get().isBlank()) {
      Path dir = Path.of(spec.path().get().trim());
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("path " + dir + " is not a directory");
      }
      model = LearnedRewardModel.fromDirectory(name, dir);
    } else {
      model =
          LearnedRewardModel.seeded(
              name, GptConfig.smallDefault(spec.initVocabSize()), spec.seed());
    }
    DistributionSummary sizes =
        DistributionSummary.builder(BATCH_SIZE_METRIC)
            .description("Sequences per reward-model forward pass (dynamic batching)")
            .tag("spec", name)
            .register(registry);
    BatchedRewardModel batched =
        new BatchedRewardModel(
            model, b.maxBatchSize(), b.maxWaitMs(), b.maxQueued(), sizes::record, threads);
    models.put(name, batched);
    return batched;
  }

  public RewardEngine engine() {
    return engine;
  }

  /** The learned models by spec name (what weight updates replace). */
  public Map<String, BatchedRewardModel> models() {
    return Collections.unmodifiableMap(models);
  }

  @PreDestroy
  void close() {
    models.values().forEach(BatchedRewardModel::close);
  }
}
