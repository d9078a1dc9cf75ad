package dev.rlhfmesh.k8stests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The kustomizations the tests render: every overlay, plus one that stacks every component. */
final class Overlays {
  static final String NAMESPACE = "rlhf-mesh";
  static final List<String> SERVICES =
      List.of("tokenizer-svc", "model-svc", "reward-svc", "trainer-svc", "gateway");

  private Overlays() {}

  /** Arguments (name, manifests) for parameterized tests. */
  static Stream<Arguments> rendered() {
    List<Arguments> args = new ArrayList<>();
    for (Path overlay : RepoLayout.overlays()) {
      args.add(Arguments.of(overlay.getFileName().toString(), Kustomize.render(overlay)));
    }
    args.add(Arguments.of("base+all-components", Kustomize.render(allComponents())));
    return args.stream();
  }

  /**
   * A throw-away overlay under target/ with the base and every component, so that components are
   * proven to compose with the base (and with each other), not only the ones an overlay happens to
   * use.
   */
  static Path allComponents() {
    return stacked("all-components", RepoLayout.k8s().resolve("base"), RepoLayout.components());
  }

  /**
   * The cpu overlay with components/models-volume: model-svc serves real models from the shared
   * volume (what a PPO job on a real policy needs; the launch test runs this).
   */
  static Path cpuWithModelsVolume() {
    return stacked(
        "cpu+models-volume",
        RepoLayout.k8s().resolve("overlays/cpu"),
        List.of(RepoLayout.k8s().resolve("components/models-volume")));
  }

  /** A throw-away kustomization under target/ of one resource directory plus components. */
  private static Path stacked(String name, Path resource, List<Path> components) {
    Path dir = RepoLayout.root().resolve("k8s-tests/target/kustomize").resolve(name);
    StringBuilder k = new StringBuilder();
    k.append("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n");
    k.append("  - ").append(dir.relativize(resource)).append('\n');
    k.append("components:\n");
    for (Path c : components) {
      k.append("  - ").append(dir.relativize(c)).append('\n');
    }
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("kustomization.yaml"), k.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return dir;
  }
}
