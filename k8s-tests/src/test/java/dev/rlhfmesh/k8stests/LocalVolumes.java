package dev.rlhfmesh.k8stests;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Local directories under target/launch standing in for a pod's volumes (for {@link LocalCluster}):
 * the pod's own for emptyDirs and claim templates, one per claim name for a PersistentVolumeClaim
 * that several pods share ({@code claims/<name>}), the user's DJL cache for the DJL cache volume
 * (so libtorch is not extracted again every run) — except the gateway's, which starts empty like
 * its emptyDir: only the 14 MB tokenizers library is extracted there, and the launch test checks it
 * is.
 */
final class LocalVolumes {
  /**
   * The one workload whose DJL cache volume is its own empty directory (no libtorch to extract).
   */
  static final String FRESH_DJL_CACHE_WORKLOAD = "gateway";

  private LocalVolumes() {}

  /** Empties every shared claim: a new launch is a new cluster. */
  static void resetClaims() {
    deleteRecursively(RepoLayout.launchDir().resolve("claims"));
  }

  /**
   * Mount path -> local directory of one pod's volumes; {@code fresh} empties the pod's own ones
   * (else a trainer would resume the jobs an earlier run left in its state directory).
   */
  static Map<String, Path> of(RenderedManifests.Workload w, String podName, boolean fresh) {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    Objects.requireNonNullElse(w.template().getSpec().getVolumes(), List.<Volume>of())
        .forEach(v -> volumes.put(v.getName(), v));
    Map<String, Path> result = new LinkedHashMap<>();
    for (VolumeMount vm :
        Objects.requireNonNullElse(w.container().getVolumeMounts(), List.<VolumeMount>of())) {
      Volume v = volumes.get(vm.getName());
      boolean djlCache =
          vm.getName().equals("djl-cache") && !w.name().equals(FRESH_DJL_CACHE_WORKLOAD);
      boolean sharedClaim = v != null && v.getPersistentVolumeClaim() != null;
      Path local;
      if (djlCache) {
        local = Path.of(System.getProperty("user.home"), ".djl.ai");
      } else if (sharedClaim) {
        local =
            RepoLayout.launchDir()
                .resolve("claims")
                .resolve(v.getPersistentVolumeClaim().getClaimName());
      } else {
        local = RepoLayout.launchDir().resolve(podName).resolve(vm.getName());
        if (fresh) {
          deleteRecursively(local);
        }
      }
      try {
        Files.createDirectories(local);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      result.put(vm.getMountPath(), local);
    }
    return result;
  }

  /** {@code containerPath} moved to its volume's local directory, or null if on no volume. */
  static Path local(Map<String, Path> mounts, String containerPath) {
    for (var m : mounts.entrySet()) {
      if (containerPath.equals(m.getKey()) || containerPath.startsWith(m.getKey() + "/")) {
        return Path.of(m.getValue() + containerPath.substring(m.getKey().length()));
      }
    }
    return null;
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
