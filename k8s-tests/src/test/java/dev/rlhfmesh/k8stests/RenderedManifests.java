package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The typed objects of one rendered kustomization, with the lookups the tests need. */
final class RenderedManifests {
  /** A Deployment or StatefulSet, reduced to what the tests look at. */
  record Workload(String kind, String name, PodTemplateSpec template) {
    Map<String, String> podLabels() {
      return template.getMetadata().getLabels();
    }

    /** The app container: by convention named like the workload. */
    Container container() {
      return template.getSpec().getContainers().stream()
          .filter(c -> c.getName().equals(name))
          .findFirst()
          .orElseThrow(() -> new AssertionError(kind + " " + name + " has no container " + name));
    }

    Optional<ContainerPort> port(String portName) {
      return container().getPorts().stream().filter(p -> portName.equals(p.getName())).findFirst();
    }
  }

  private final Path source;
  private final List<HasMetadata> objects;

  RenderedManifests(Path source, List<HasMetadata> objects) {
    this.source = source;
    this.objects = List.copyOf(objects);
  }

  Path source() {
    return source;
  }

  List<HasMetadata> all() {
    return objects;
  }

  <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<Workload> workloads() {
    List<Workload> result = new java.util.ArrayList<>();
    for (Deployment d : ofType(Deployment.class)) {
      result.add(new Workload("Deployment", d.getMetadata().getName(), d.getSpec().getTemplate()));
    }
    for (StatefulSet s : ofType(StatefulSet.class)) {
      result.add(new Workload("StatefulSet", s.getMetadata().getName(), s.getSpec().getTemplate()));
    }
    return result;
  }

  Workload workload(String name) {
    return workloads().stream()
        .filter(w -> w.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(source + " renders no workload named " + name));
  }

  Optional<Service> service(String name) {
    return ofType(Service.class).stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst();
  }

  Optional<ConfigMap> configMap(String name) {
    return ofType(ConfigMap.class).stream()
        .filter(c -> c.getMetadata().getName().equals(name))
        .findFirst();
  }

  List<NetworkPolicy> networkPolicies() {
    return ofType(NetworkPolicy.class);
  }

  /** Workloads whose pods a label selector (equality or expressions) selects. */
  List<Workload> selectedBy(Map<String, String> matchLabels) {
    return workloads().stream().filter(w -> Labels.matches(matchLabels, w.podLabels())).toList();
  }

  List<Workload> selectedBy(LabelSelector selector) {
    return workloads().stream().filter(w -> Labels.matches(selector, w.podLabels())).toList();
  }

  /**
   * The environment a container starts with: envFrom ConfigMaps first, then env entries (which win,
   * as in Kubernetes). Values from Secrets and the downward API are not known here: they map to
   * {@code null} unless {@code resolver} supplies one.
   */
  Map<String, String> environment(Container c, ValueResolver resolver) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from :
        Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
      if (from.getConfigMapRef() != null) {
        ConfigMap cm =
            configMap(from.getConfigMapRef().getName())
                .orElseThrow(
                    () ->
                        new AssertionError(
                            c.getName()
                                + " takes env from ConfigMap "
                                + from.getConfigMapRef().getName()
                                + ", which "
                                + source
                                + " does not render"));
        String prefix = Objects.requireNonNullElse(from.getPrefix(), "");
        cm.getData().forEach((k, v) -> env.put(prefix + k, v));
      } else if (from.getSecretRef() != null) {
        fail(c.getName() + ": envFrom a Secret hides which keys it sets; use secretKeyRef entries");
      }
    }
    for (EnvVar e : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
      if (e.getValueFrom() == null) {
        env.put(e.getName(), e.getValue());
      } else if (e.getValueFrom().getConfigMapKeyRef() != null) {
        var ref = e.getValueFrom().getConfigMapKeyRef();
        env.put(
            e.getName(),
            configMap(ref.getName()).map(cm -> cm.getData().get(ref.getKey())).orElse(null));
      } else if (e.getValueFrom().getSecretKeyRef() != null) {
        var ref = e.getValueFrom().getSecretKeyRef();
        env.put(e.getName(), resolver.secret(ref.getName(), ref.getKey()));
      } else {
        env.put(e.getName(), resolver.other(e));
      }
    }
    return env;
  }

  /** Supplies values the manifests only reference (Secrets, downward API). */
  interface ValueResolver {
    String secret(String name, String key);

    default String other(EnvVar e) {
      return null;
    }

    ValueResolver UNKNOWN = (name, key) -> null;
  }
}
