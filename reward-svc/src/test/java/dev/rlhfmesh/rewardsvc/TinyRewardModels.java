package dev.rlhfmesh.rewardsvc;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.ScalarHeadModel;
import dev.rlhfmesh.rewardsvc.grpc.FakeTokenizerService;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes two tiny reward models (same shape, different seeds) with model-core into temp directories
 * before the app starts: the first is served as spec {@code learned}, the second is what
 * weight-update tests swap in.
 */
public class TinyRewardModels implements QuarkusTestResourceLifecycleManager {
  public static final String UPDATE_DIR_KEY = "rlhf-test.update-dir";
  private Path root;

  /** 2 layers, 32 wide, 4 heads, 24 positions, the fake tokenizer's vocabulary. */
  public static GptConfig tiny() {
    return new GptConfig(
        FakeTokenizerService.VOCAB.size(), 24, 32, 2, 4, 64, 1e-5f, "gelu_new", -1, -1);
  }

  /** Writes a seeded tiny model into {@code dir}. */
  public static void write(Path dir, long seed) {
    try (NDManager m = NDManager.newBaseManager();
        ScalarHeadModel model = ScalarHeadModel.init(m, tiny(), seed)) {
      Files.createDirectories(dir);
      model.save(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Map<String, String> start() {
    try {
      root = Files.createTempDirectory("reward-svc-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(root.resolve("serving"), 7);
    write(root.resolve("update"), 8);
    return Map.of(
        "rlhf.reward.specs.learned.path",
        root.resolve("serving").toString(),
        "rlhf.reward.specs.updatable.path",
        root.resolve("serving").toString(),
        UPDATE_DIR_KEY,
        root.resolve("update").toString());
  }

  @Override
  public void stop() {
    if (root == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
