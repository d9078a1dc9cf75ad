package dev.rlhfmesh.k8stests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where things are in the repository, as seen from this module's tests. */
final class RepoLayout {
  private RepoLayout() {}

  /** The repository root (surefire passes it; running from an IDE, the parent of the module). */
  static Path root() {
    String configured = System.getProperty("rlhf.repo.root");
    Path root = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath().getParent();
    return root.toAbsolutePath().normalize();
  }

  static Path k8s() {
    return root().resolve("k8s");
  }

  /** Every overlay directory under k8s/overlays, sorted by name. */
  static List<Path> overlays() {
    try (Stream<Path> dirs = Files.list(k8s().resolve("overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every component directory under k8s/components, sorted by name. */
  static List<Path> components() {
    try (Stream<Path> dirs = Files.list(k8s().resolve("components"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A service's Maven module: by convention its directory is named like its workload. */
  static Path module(String service) {
    return root().resolve(service);
  }

  static Path launchDir() {
    String configured = System.getProperty("rlhf.launch.dir");
    return configured != null
        ? Path.of(configured)
        : root().resolve("k8s-tests").resolve("target").resolve("launch");
  }
}
