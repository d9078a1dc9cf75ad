package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pod hardening, resources, writable volumes, images and their Dockerfiles, autoscalers, disruption
 * budgets, the trainer's StatefulSet, and Secret references.
 */
class WorkloadShapeTest {
  static Stream<Arguments> rendered() {
    return Overlays.rendered();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void pods_runNonRootOnAReadOnlyRootWithRequestsAndLimits(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      PodSpec pod = w.template().getSpec();
      Container c = w.container();
      check(
          failures,
          Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot()),
          w.name() + ": runAsNonRoot");
      check(
          failures,
          pod.getSecurityContext().getRunAsUser() != null
              && pod.getSecurityContext().getRunAsUser() != 0,
          w.name() + ": runAsUser non-zero");
      check(
          failures,
          Boolean.TRUE.equals(c.getSecurityContext().getReadOnlyRootFilesystem()),
          w.name() + ": readOnlyRootFilesystem");
      check(
          failures,
          Boolean.FALSE.equals(c.getSecurityContext().getAllowPrivilegeEscalation()),
          w.name() + ": allowPrivilegeEscalation false");
      check(
          failures,
          c.getSecurityContext().getCapabilities() != null
              && List.of("ALL").equals(c.getSecurityContext().getCapabilities().getDrop()),
          w.name() + ": drops ALL capabilities");
      check(
          failures,
          Boolean.FALSE.equals(pod.getAutomountServiceAccountToken()),
          w.name() + ": no API token mounted (the apps never call the API server)");
      check(
          failures,
          w.name().equals(pod.getServiceAccountName()),
          w.name() + ": own ServiceAccount");
      check(
          failures,
          m.ofType(ServiceAccount.class).stream()
              .anyMatch(sa -> sa.getMetadata().getName().equals(pod.getServiceAccountName())),
          w.name() + ": ServiceAccount exists");
      for (String kind : List.of("cpu", "memory")) {
        check(
            failures,
            c.getResources().getRequests() != null
                && c.getResources().getRequests().containsKey(kind),
            w.name() + ": requests " + kind);
        check(
            failures,
            c.getResources().getLimits() != null && c.getResources().getLimits().containsKey(kind),
            w.name() + ": limits " + kind);
      }
    }
    assertEquals(List.of(), failures, name);
  }

  /**
   * Writable paths are volumes, only where needed: /tmp, the DJL cache, the trainer's state and
   * (components/models-volume) the shared models claim the trainer writes; any other volume is
   * mounted read-only.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void writableVolumes_areOnlyTmpTheDjlCacheAndTrainerState(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      Map<String, String> env =
          m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN);
      Map<String, Volume> volumes = new java.util.HashMap<>();
      Objects.requireNonNullElse(w.template().getSpec().getVolumes(), List.<Volume>of())
          .forEach(v -> volumes.put(v.getName(), v));
      Set<String> claimTemplates = claimTemplates(m, w.name());
      for (VolumeMount vm : w.container().getVolumeMounts()) {
        String path = vm.getMountPath();
        Volume v = volumes.get(vm.getName());
        boolean emptyDir = v != null && v.getEmptyDir() != null;
        boolean claim = claimTemplates.contains(vm.getName());
        boolean sharedClaim = v != null && v.getPersistentVolumeClaim() != null;
        boolean ok =
            Boolean.TRUE.equals(vm.getReadOnly())
                || (path.equals("/tmp") && emptyDir)
                || (path.equals(env.get("DJL_CACHE_DIR")) && emptyDir)
                || ((claim || sharedClaim) && w.name().equals("trainer-svc"));
        check(
            failures, ok, w.name() + ": unexpected writable mount " + vm.getName() + " at " + path);
        if (emptyDir) {
          check(
              failures,
              v.getEmptyDir().getSizeLimit() != null,
              w.name() + ": emptyDir " + vm.getName() + " without sizeLimit");
        }
      }
      if (env.containsKey("DJL_CACHE_DIR")) {
        boolean mounted =
            w.container().getVolumeMounts().stream()
                .anyMatch(vm -> vm.getMountPath().equals(env.get("DJL_CACHE_DIR")));
        check(
            failures,
            mounted,
            w.name() + ": DJL_CACHE_DIR " + env.get("DJL_CACHE_DIR") + " is not a mounted volume");
      }
    }
    assertEquals(List.of(), failures, name);
  }

  /**
   * Image rlhf-mesh/<svc>:<tag>, built from <svc>/src/main/docker/Dockerfile.jvm that matches the
   * pod.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void images_areBuiltByEachServicesDockerfile(String name, RenderedManifests m)
      throws IOException {
    List<String> failures = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      Container c = w.container();
      check(
          failures,
          c.getImage().matches("rlhf-mesh/" + Pattern.quote(w.name()) + ":[\\w.-]+"),
          w.name() + ": image " + c.getImage());
      Path dockerfile = RepoLayout.module(w.name()).resolve("src/main/docker/Dockerfile.jvm");
      if (!Files.isRegularFile(dockerfile)) {
        failures.add(w.name() + ": no " + dockerfile);
        continue;
      }
      String df = Files.readString(dockerfile);
      Long uid = w.template().getSpec().getSecurityContext().getRunAsUser();
      check(
          failures,
          df.contains("\nUSER " + uid + "\n"),
          w.name() + ": Dockerfile must switch to USER " + uid + " (the pod's runAsUser)");
      check(
          failures,
          df.contains("COPY target/quarkus-app/"),
          w.name() + ": Dockerfile copies target/quarkus-app/");
      check(
          failures, df.contains("quarkus-run.jar"), w.name() + ": Dockerfile runs quarkus-run.jar");
      Matcher base = Pattern.compile("ARG BASE_IMAGE=(\\S+)").matcher(df);
      check(
          failures,
          base.find() && base.group(1).contains(":17"),
          w.name() + ": default base image is a JRE 17");
      check(
          failures,
          !base.group(0).matches(".*=[^/]*\\.[^/]*/.*"),
          w.name() + ": base image names a registry host");
      Matcher expose = Pattern.compile("(?m)^EXPOSE (.+)$").matcher(df);
      Set<String> exposed =
          new TreeSet<>(expose.find() ? List.of(expose.group(1).trim().split("\\s+")) : List.of());
      Set<String> ports = new TreeSet<>();
      c.getPorts().forEach(p -> ports.add(String.valueOf(p.getContainerPort())));
      check(
          failures,
          exposed.equals(ports),
          w.name() + ": EXPOSE " + exposed + " vs container ports " + ports);
    }
    assertEquals(List.of(), failures, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void autoscalers_ownTheReplicaCountOfModelAndRewardTiers(String name, RenderedManifests m) {
    Set<String> scaled = new TreeSet<>();
    for (HorizontalPodAutoscaler h : m.ofType(HorizontalPodAutoscaler.class)) {
      var ref = h.getSpec().getScaleTargetRef();
      Deployment d =
          m.ofType(Deployment.class).stream()
              .filter(
                  x ->
                      x.getMetadata().getName().equals(ref.getName())
                          && ref.getKind().equals("Deployment"))
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "HPA " + h.getMetadata().getName() + " targets missing " + ref));
      assertNull(
          d.getSpec().getReplicas(),
          name + ": " + ref.getName() + " sets replicas, fighting its HPA on every apply");
      assertTrue(
          h.getSpec().getMinReplicas() <= h.getSpec().getMaxReplicas(), h.getMetadata().getName());
      assertTrue(
          h.getSpec().getMetrics().stream()
              .anyMatch(x -> x.getResource() != null && x.getResource().getName().equals("cpu")),
          h.getMetadata().getName() + " scales on CPU");
      scaled.add(ref.getName());
    }
    assertEquals(Set.of("model-svc", "reward-svc"), scaled, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void disruptionBudgets_coverEveryReplicatedTierButTheSingleTrainer(
      String name, RenderedManifests m) {
    Set<String> covered = new TreeSet<>();
    for (PodDisruptionBudget b : m.ofType(PodDisruptionBudget.class)) {
      var selected = m.selectedBy(b.getSpec().getSelector());
      assertEquals(
          1,
          selected.size(),
          "PDB " + b.getMetadata().getName() + " selects " + selected.size() + " workloads");
      covered.add(selected.get(0).name());
    }
    assertEquals(Set.of("tokenizer-svc", "model-svc", "reward-svc", "gateway"), covered, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void trainer_isOneStatefulPodWithCheckpointsOnItsClaim(String name, RenderedManifests m) {
    StatefulSet s =
        m.ofType(StatefulSet.class).stream()
            .filter(x -> x.getMetadata().getName().equals("trainer-svc"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("trainer-svc must be a StatefulSet"));
    assertEquals(1, s.getSpec().getReplicas());
    assertTrue(
        m.service(s.getSpec().getServiceName()).isPresent(),
        "governing Service " + s.getSpec().getServiceName());
    Container c = m.workload("trainer-svc").container();
    Map<String, String> env = m.environment(c, RenderedManifests.ValueResolver.UNKNOWN);
    String dir = env.get("RLHF_TRAINER_DATA_DIR");
    boolean onClaim =
        c.getVolumeMounts().stream()
            .anyMatch(
                vm ->
                    claimTemplates(m, "trainer-svc").contains(vm.getName())
                        && dir != null
                        && (dir.equals(vm.getMountPath())
                            || dir.startsWith(vm.getMountPath() + "/")));
    assertTrue(
        onClaim, name + ": RLHF_TRAINER_DATA_DIR=" + dir + " is not on the PersistentVolumeClaim");
  }

  /** Secrets are referenced, never embedded, and README tells how to create each one. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void secretReferences_areDocumentedWithTheirCreateCommand(String name, RenderedManifests m)
      throws IOException {
    String readme = Files.readString(RepoLayout.k8s().resolve("README.md"));
    Set<String> referenced = new TreeSet<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      for (EnvVar e : Objects.requireNonNullElse(w.container().getEnv(), List.<EnvVar>of())) {
        if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
          var ref = e.getValueFrom().getSecretKeyRef();
          referenced.add(ref.getName());
          assertTrue(
              Pattern.compile(
                      "(?m)^.*kubectl create secret generic "
                          + Pattern.quote(ref.getName())
                          + " .*--from-literal="
                          + Pattern.quote(ref.getKey())
                          + "=.*$")
                  .matcher(readme)
                  .find(),
              "k8s/README.md must show `kubectl create secret generic "
                  + ref.getName()
                  + " --from-literal="
                  + ref.getKey()
                  + "=...`");
        }
      }
    }
    assertEquals(Set.of("rlhf-admin-token", "rlhf-gateway-api-keys"), referenced, name);
  }

  private static Set<String> claimTemplates(RenderedManifests m, String workload) {
    Set<String> names = new TreeSet<>();
    m.ofType(StatefulSet.class).stream()
        .filter(s -> s.getMetadata().getName().equals(workload))
        .flatMap(
            s ->
                Objects.requireNonNullElse(
                    s.getSpec().getVolumeClaimTemplates(),
                    List.<io.fabric8.kubernetes.api.model.PersistentVolumeClaim>of())
                    .stream())
        .forEach(p -> names.add(p.getMetadata().getName()));
    return names;
  }

  private static void check(List<String> failures, boolean ok, String what) {
    if (!ok) {
      failures.add(what);
    }
  }
}
