package dev.rlhfmesh.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Figures that need the packaged services (started here as processes on free loopback ports). */
public final class ServiceFigures {
  static final String NOT_BUILT = "service not built";
  static final Target SERVED_16 = Target.atLeast(1.0);

  private final Path work;
  private final Path modelDir;
  private final BenchMain.Options options;

  ServiceFigures(Path work, Path modelDir, BenchMain.Options options) {
    this.work = work;
    this.modelDir = modelDir;
    this.options = options;
  }

  static Path jar(String service) {
    return Path.of(service, "target", "quarkus-app", "quarkus-run.jar");
  }

  /** The five service rows, all missing for one reason. */
  static List<Figure> skipped(String why) {
    List<Figure> f = new ArrayList<>();
    f.add(
        Figure.missing(
            "served, 16 gRPC clients", "tok/s", "peer best static batch", SERVED_16, why));
    f.add(Figure.missing("served, 64 gRPC clients", "tok/s", "peer best static batch", null, why));
    f.add(Figure.missing("weight sync (UpdateWeights)", "MB/s", "raw loopback socket", null, why));
    f.add(Figure.missing("tokenizer encode over gRPC", "texts/s", "in-process", null, why));
    f.add(Figure.missing("reward scoring over gRPC", "pairs/s", "in-process", null, why));
    return f;
  }

  List<Figure> measure(double peerBestStaticBatch) {
    if (!Files.exists(jar("model-svc"))) {
      return skipped(NOT_BUILT);
    }
    return skipped("not measured yet");
  }
}
