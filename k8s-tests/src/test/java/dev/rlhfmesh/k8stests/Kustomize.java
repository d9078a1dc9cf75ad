package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} (run as a process, offline) and parses
 * every document into typed fabric8 objects. A missing kubectl is a test failure, never a skip: CI
 * machines are the same image as this one and have it.
 */
final class Kustomize {
  private static final Map<Path, RenderedManifests> CACHE = new ConcurrentHashMap<>();
  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private Kustomize() {}

  static RenderedManifests render(Path kustomizationDir) {
    return CACHE.computeIfAbsent(
        kustomizationDir.toAbsolutePath().normalize(), d -> parse(renderYaml(d), d));
  }

  static String renderYaml(Path dir) {
    String kubectl = kubectl();
    try {
      Process p =
          new ProcessBuilder(kubectl, "kustomize", dir.toString())
              .redirectErrorStream(false)
              .start();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("kubectl kustomize " + dir + " did not finish in 60 s");
      }
      if (p.exitValue() != 0) {
        fail(
            "kubectl kustomize "
                + dir
                + " failed (exit "
                + p.exitValue()
                + "):\n"
                + new String(err, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return fail("could not run " + kubectl + " kustomize " + dir + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while rendering " + dir, e);
    }
  }

  /** kubectl from $KUBECTL, /usr/bin/kubectl or the PATH; fails with how to fix it otherwise. */
  static String kubectl() {
    return kubectl(System.getenv("KUBECTL"), Path.of("/usr/bin/kubectl"), System.getenv("PATH"));
  }

  static String kubectl(String configured, Path systemDefault, String path) {
    if (configured != null && Files.isExecutable(Path.of(configured))) {
      return configured;
    }
    if (Files.isExecutable(systemDefault)) {
      return systemDefault.toString();
    }
    for (String dir : (path == null ? "" : path).split(java.io.File.pathSeparator)) {
      Path candidate = dir.isEmpty() ? null : Path.of(dir, "kubectl");
      if (candidate != null && Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return fail(
        "kubectl not found (looked at $KUBECTL, "
            + systemDefault
            + " and the PATH). The k8s manifests are tested by rendering them with `kubectl"
            + " kustomize`: install kubectl (it renders offline, no cluster needed) or point $KUBECTL"
            + " at it.");
  }

  private static RenderedManifests parse(String yaml, Path dir) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String doc : yaml.split("(?m)^---\\s*$")) {
      if (doc.isBlank()) {
        continue;
      }
      try {
        objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
      } catch (RuntimeException e) {
        fail("rendered document of " + dir + " does not parse as a Kubernetes object:\n" + doc, e);
      }
    }
    return new RenderedManifests(dir, objects);
  }
}
