package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.Test;

/** The gpu overlay puts the tensor tiers on GPUs with CUDA natives; the cpu overlay has no GPU. */
class GpuOverlayTest {
  private static final List<String> TENSOR_TIERS =
      List.of("model-svc", "reward-svc", "trainer-svc");

  @Test
  void gpuOverlay_requestsOneGpuForEachTensorTierOnGpuNodes() {
    RenderedManifests m = Kustomize.render(RepoLayout.k8s().resolve("overlays/gpu"));
    for (RenderedManifests.Workload w : m.workloads()) {
      PodSpec pod = w.template().getSpec();
      Container c = w.container();
      Map<String, Quantity> limits = c.getResources().getLimits();
      Map<String, String> env = m.environment(c, RenderedManifests.ValueResolver.UNKNOWN);
      if (TENSOR_TIERS.contains(w.name())) {
        assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"), w.name());
        assertEquals(
            "true",
            Objects.requireNonNullElse(pod.getNodeSelector(), Map.<String, String>of())
                .get("nvidia.com/gpu.present"),
            w.name());
        assertTrue(
            pod.getTolerations().stream().anyMatch(t -> "nvidia.com/gpu".equals(t.getKey())),
            w.name() + " tolerates GPU taints");
        assertEquals("cu124", env.get("PYTORCH_FLAVOR"), w.name());
        assertTrue(
            c.getImage().endsWith("-cu124"),
            w.name() + " runs the CUDA image variant: " + c.getImage());
        // CPU sizing and everything else of the base stays.
        assertTrue(limits.containsKey("memory") && limits.containsKey("cpu"), w.name());
      } else {
        assertFalse(limits.containsKey("nvidia.com/gpu"), w.name() + " needs no GPU");
        assertFalse(env.containsKey("PYTORCH_FLAVOR"), w.name());
      }
    }
  }

  @Test
  void cpuOverlay_hasNoGpuAnything() {
    String yaml = Kustomize.renderYaml(RepoLayout.k8s().resolve("overlays/cpu"));
    assertFalse(yaml.contains("nvidia.com"), "cpu overlay mentions nvidia.com");
    assertFalse(yaml.contains("PYTORCH_FLAVOR"), "cpu overlay sets PYTORCH_FLAVOR");
  }
}
