package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Which tokenizer the gateway's manifest gives it. With components/models-volume it tokenizes
 * in-process ({@code RLHF_GATEWAY_TOKENIZER_PATH}, the measured-faster mode of the gateway README)
 * from the served policy's tokenizer; without it, it calls tokenizer-svc over gRPC (the app's
 * default). In-process mode is checked to be loadable in the pod: the path is the directory
 * model-svc reads its tokenizer from, on the same claim, mounted read-only; DJL runs offline and
 * extracts the tokenizers native library into a writable emptyDir (the root filesystem is
 * read-only). The tokenizer-svc client stays configured in both modes (the app builds it at start).
 */
class GatewayTokenizerModeTest {
  static final String CLAIM = "rlhf-models";
  static final String PATH_ENV = "RLHF_GATEWAY_TOKENIZER_PATH";

  /** The tokenizers native library DJL extracts is 14 MiB (0.21.0, linux-x86_64). */
  static final long MIN_CACHE_BYTES = 32L * 1024 * 1024;

  /** Every rendering of Overlays.rendered(), plus the launch test's cpu + models-volume. */
  static Stream<Arguments> rendered() {
    return Stream.concat(
        Overlays.rendered(),
        Stream.of(
            Arguments.of("cpu+models-volume", Kustomize.render(Overlays.cpuWithModelsVolume()))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void gateway_tokenizesInProcessExactlyWhenTheModelsVolumeComponentIsIn(
      String name, RenderedManifests m) {
    boolean componentIn =
        m.ofType(PersistentVolumeClaim.class).stream()
            .anyMatch(c -> c.getMetadata().getName().equals(CLAIM));
    Map<String, String> env = gatewayEnv(m);
    assertEquals(
        componentIn,
        env.containsKey(PATH_ENV),
        name + ": " + PATH_ENV + " must be set exactly when components/models-volume is in");
    // Either way the gateway builds its tokenizer-svc client at start (DownstreamClientsCheck), and
    // uses it whenever the path is unset.
    String host = env.get("QUARKUS_GRPC_CLIENTS_TOKENIZER_HOST");
    assertEquals("tokenizer-svc", host, name + ": tokenizer-svc client");
    assertTrue(m.service(host).isPresent(), name + ": Service " + host);
    assertNotNull(env.get("QUARKUS_GRPC_CLIENTS_TOKENIZER_PORT"), name + ": tokenizer port");
  }

  /** The overlays as shipped carry no models volume: the gateway keeps tokenizer-svc. */
  @Test
  void overlaysWithoutTheComponent_keepTokenizerSvcAndMountNothingExtra() {
    for (String overlay : List.of("cpu", "gpu")) {
      RenderedManifests m = Kustomize.render(RepoLayout.k8s().resolve("overlays/" + overlay));
      RenderedManifests.Workload gw = m.workload("gateway");
      Map<String, String> env = gatewayEnv(m);
      assertFalse(env.containsKey(PATH_ENV), overlay + ": " + env);
      assertFalse(env.containsKey("DJL_CACHE_DIR"), overlay + ": DJL cache without DJL use");
      List<String> volumes =
          Objects.requireNonNullElse(gw.template().getSpec().getVolumes(), List.<Volume>of())
              .stream()
              .map(Volume::getName)
              .toList();
      assertEquals(List.of("tmp"), volumes, overlay + ": gateway volumes");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void inProcess_readsModelSvcsTokenizerFromTheSameClaimReadOnly(String name, RenderedManifests m) {
    Map<String, String> env = gatewayEnv(m);
    String path = env.get(PATH_ENV);
    if (path == null) {
      return; // tokenizer-svc mode: covered above
    }
    Mounted gw =
        mountOf(m.workload("gateway"), path)
            .orElseThrow(() -> new AssertionError(name + ": " + path + " is on no gateway volume"));
    assertEquals(
        CLAIM,
        gw.volume().getPersistentVolumeClaim() == null
            ? null
            : gw.volume().getPersistentVolumeClaim().getClaimName(),
        name + ": the gateway's " + path + " is not on the models claim");
    assertTrue(
        Boolean.TRUE.equals(gw.mount().getReadOnly())
            && Boolean.TRUE.equals(gw.volume().getPersistentVolumeClaim().getReadOnly()),
        name + ": the gateway must mount the models claim read-only");

    // The same files model-svc takes eos and stop strings from: text -> ids in the gateway and
    // ids -> text in model-svc agree with the model served.
    String modelTokenizer =
        m.environment(m.workload("model-svc").container(), RenderedManifests.ValueResolver.UNKNOWN)
            .get("RLHF_MODEL_TOKENIZER_PATH");
    assertNotNull(modelTokenizer, name + ": model-svc reads no tokenizer from the volume");
    Mounted model =
        mountOf(m.workload("model-svc"), modelTokenizer)
            .orElseThrow(() -> new AssertionError(name + ": model-svc tokenizer on no volume"));
    assertEquals(
        model.volume().getPersistentVolumeClaim().getClaimName() + ":" + model.pathOnVolume(),
        gw.volume().getPersistentVolumeClaim().getClaimName() + ":" + gw.pathOnVolume(),
        name + ": gateway and model-svc must read the same tokenizer directory");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void inProcess_hasAWritableDjlCacheAndRunsDjlOffline(String name, RenderedManifests m) {
    Map<String, String> env = gatewayEnv(m);
    if (!env.containsKey(PATH_ENV)) {
      return;
    }
    // DJL extracts the tokenizers natives into ENGINE_CACHE_DIR, else DJL_CACHE_DIR.
    String cache =
        Objects.requireNonNullElse(env.get("ENGINE_CACHE_DIR"), env.get("DJL_CACHE_DIR"));
    assertNotNull(
        cache, name + ": no DJL_CACHE_DIR: DJL would write under $HOME on a read-only root");
    Mounted c =
        mountOf(m.workload("gateway"), cache)
            .orElseThrow(() -> new AssertionError(name + ": DJL cache " + cache + " on no volume"));
    assertTrue(
        c.volume().getEmptyDir() != null && !Boolean.TRUE.equals(c.mount().getReadOnly()),
        name + ": the DJL cache must be a writable emptyDir");
    Quantity size = c.volume().getEmptyDir().getSizeLimit();
    assertTrue(
        size != null
            && Quantity.getAmountInBytes(size).compareTo(BigDecimal.valueOf(MIN_CACHE_BYTES)) >= 0,
        name + ": DJL cache sizeLimit " + size + " (the tokenizers library alone is 14 MiB)");
    String jvm = Objects.requireNonNullElse(env.get("JDK_JAVA_OPTIONS"), "");
    assertTrue(jvm.contains("-Dai.djl.offline=true"), name + ": JDK_JAVA_OPTIONS " + jvm);
  }

  private static Map<String, String> gatewayEnv(RenderedManifests m) {
    return m.environment(
        m.workload("gateway").container(), RenderedManifests.ValueResolver.UNKNOWN);
  }

  /** A container path on one of the workload's volumes, and its path inside that volume. */
  record Mounted(VolumeMount mount, Volume volume, String pathOnVolume) {}

  static Optional<Mounted> mountOf(RenderedManifests.Workload w, String containerPath) {
    List<Volume> volumes =
        new ArrayList<>(
            Objects.requireNonNullElse(w.template().getSpec().getVolumes(), List.<Volume>of()));
    Mounted best = null;
    for (VolumeMount vm :
        Objects.requireNonNullElse(w.container().getVolumeMounts(), List.<VolumeMount>of())) {
      String mp = vm.getMountPath();
      if (!(containerPath.equals(mp) || containerPath.startsWith(mp + "/"))) {
        continue;
      }
      if (best != null && best.mount().getMountPath().length() >= mp.length()) {
        continue; // the deepest mount wins, as in a container
      }
      Volume v =
          volumes.stream()
              .filter(x -> x.getName().equals(vm.getName()))
              .findFirst()
              .orElseThrow(() -> new AssertionError(w.name() + ": no volume " + vm.getName()));
      String sub = Objects.requireNonNullElse(vm.getSubPath(), "");
      String rest = containerPath.substring(mp.length());
      best = new Mounted(vm, v, Path.of("/", sub, rest).normalize().toString());
    }
    return Optional.ofNullable(best);
  }
}
