package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every overlay renders with kubectl kustomize and every object is a typed Kubernetes object. */
class KustomizeRenderTest {
  static Stream<org.junit.jupiter.params.provider.Arguments> rendered() {
    return Overlays.rendered();
  }

  @Test
  void missingKubectl_isAFailureThatSaysWhatToDo(@org.junit.jupiter.api.io.TempDir Path empty) {
    org.opentest4j.AssertionFailedError e =
        org.junit.jupiter.api.Assertions.assertThrows(
            org.opentest4j.AssertionFailedError.class,
            () -> Kustomize.kubectl(null, empty.resolve("kubectl"), empty.toString()));
    assertTrue(e.getMessage().contains("kubectl not found"), e.getMessage());
    assertTrue(e.getMessage().contains("$KUBECTL"), e.getMessage());
  }

  @Test
  void overlays_includeCpuAndGpu() {
    List<String> names =
        RepoLayout.overlays().stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.containsAll(List.of("cpu", "gpu")), "overlays found: " + names);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void render_parsesIntoTypedObjectsOnly(String name, RenderedManifests m) {
    assertFalse(m.all().isEmpty(), name + " renders nothing");
    List<String> untyped =
        m.all().stream()
            .filter(o -> o instanceof GenericKubernetesResource)
            .map(o -> o.getApiVersion() + "/" + o.getKind() + " " + o.getMetadata().getName())
            .toList();
    assertEquals(List.of(), untyped, name + ": objects the typed model does not know");
  }

  /**
   * Parsing is lenient (unknown fields are kept aside): a misspelt or misplaced field fails here.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void render_hasNoFieldTheTypedModelDoesNotKnow(String name, RenderedManifests m) {
    List<String> unknown = new java.util.ArrayList<>();
    for (HasMetadata o : m.all()) {
      UnknownFields.in(o)
          .forEach(f -> unknown.add(o.getKind() + " " + o.getMetadata().getName() + ": " + f));
    }
    assertEquals(List.of(), unknown, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void render_putsEveryObjectInTheNamespace(String name, RenderedManifests m) {
    for (HasMetadata o : m.all()) {
      if (o instanceof Namespace ns) {
        assertEquals(Overlays.NAMESPACE, ns.getMetadata().getName());
      } else {
        assertEquals(
            Overlays.NAMESPACE,
            o.getMetadata().getNamespace(),
            name + ": " + o.getKind() + " " + o.getMetadata().getName());
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void render_hasOneWorkloadPerService(String name, RenderedManifests m) {
    assertEquals(
        Overlays.SERVICES.stream().sorted().toList(),
        m.workloads().stream().map(RenderedManifests.Workload::name).sorted().toList(),
        name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void render_containsNoSecretObjects(String name, RenderedManifests m) {
    assertEquals(
        List.of(),
        m.ofType(Secret.class).stream().map(s -> s.getMetadata().getName()).toList(),
        name + ": secrets are created with kubectl (k8s/README.md), never rendered from git");
  }

  @Test
  void exampleSecrets_areNotReferencedByAnyKustomization() throws IOException {
    try (Stream<Path> files = Files.walk(RepoLayout.k8s())) {
      for (Path k :
          files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).toList()) {
        String text = Files.readString(k);
        assertFalse(text.contains("examples"), k + " pulls in the example secrets");
        assertFalse(text.contains("secretGenerator"), k + " generates secrets from the repo");
      }
    }
    String example = Files.readString(RepoLayout.k8s().resolve("examples/secrets.example.yaml"));
    for (String line : example.split("\n")) {
      if (line.matches("\\s+(token|api-keys):.*")) {
        assertTrue(line.contains("REPLACE-ME"), "example secret holds a non-placeholder: " + line);
      }
    }
  }
}
