package dev.rlhfmesh.launcher;

import dev.rlhfmesh.launcher.pipeline.DemoPipeline;
import dev.rlhfmesh.launcher.pipeline.DemoSettings;
import java.nio.file.Path;

/** {@code ./rlhf-mesh demo [--quick] [--config FILE] [--seed N]}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    dev.rlhfmesh.grpc.PlainJavaLogging.quietNetty();
    if (args.length == 0 || !args[0].equals("demo")) {
      usage();
      System.exit(2);
    }
    DemoSettings settings = DemoSettings.defaults();
    Path config = null;
    Long seed = null;
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> settings = DemoSettings.quick();
        case "--config" -> config = Path.of(args[++i]);
        case "--seed" -> seed = Long.parseLong(args[++i]);
        default -> {
          System.err.println("unknown argument: " + args[i]);
          usage();
          System.exit(2);
        }
      }
    }
    if (config != null) {
      settings = DemoSettings.read(config, settings);
    }
    if (seed != null) {
      settings.seed = seed;
    }
    Path repo = Path.of(System.getProperty("rlhf.repo", ".")).toAbsolutePath().normalize();
    try {
      new DemoPipeline(repo, settings, System.out).run();
    } catch (Exception e) {
      System.err.println();
      System.err.println("FAILED: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void usage() {
    System.err.println("usage: ./rlhf-mesh demo [--quick] [--config settings.json] [--seed N]");
  }
}
