package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.k8stests.NetworkPolicyEvaluator.Peer;
import dev.rlhfmesh.k8stests.NetworkPolicyEvaluator.Port;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Namespace;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The network policy admits exactly the call graph: every (source, destination, port) pair is
 * evaluated, from each workload and from outside the namespace, and compared with the edges below.
 */
class NetworkPolicyTest {
  private static final String OUTSIDE = "outside";
  private static final String MONITORING = "monitoring";

  /**
   * source -> destination:portName, the edges that must be open; everything else must be closed.
   */
  private static final Set<String> EDGES =
      Set.of(
          OUTSIDE + "->gateway:grpc",
          OUTSIDE + "->gateway:http",
          "gateway->tokenizer-svc:grpc",
          "gateway->model-svc:grpc",
          "gateway->trainer-svc:grpc",
          "trainer-svc->model-svc:grpc",
          "trainer-svc->model-svc:admin",
          "trainer-svc->reward-svc:grpc",
          "trainer-svc->reward-svc:admin",
          "reward-svc->tokenizer-svc:grpc");

  static Stream<Arguments> rendered() {
    return Overlays.rendered();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void policy_admitsExactlyTheCallGraph(String name, RenderedManifests m) {
    NetworkPolicyEvaluator eval = evaluator(m);
    boolean metricsComponent =
        m.networkPolicies().stream()
            .anyMatch(p -> p.getMetadata().getName().equals("allow-metrics-scrape"));
    Map<String, List<Peer>> sources = new LinkedHashMap<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      sources.put(w.name(), List.of(eval.podHere(w.name(), w.podLabels())));
    }
    sources.put(OUTSIDE, List.of(Peer.outsideCluster(), Peer.podInNamespace("elsewhere")));
    sources.put(MONITORING, List.of(Peer.podInNamespace("monitoring")));

    List<String> wrong = new ArrayList<>();
    for (RenderedManifests.Workload dst : m.workloads()) {
      Peer to = eval.podHere(dst.name(), dst.podLabels());
      for (ContainerPort cp : dst.container().getPorts()) {
        Port port =
            new Port(
                cp.getContainerPort(),
                cp.getName(),
                Objects.requireNonNullElse(cp.getProtocol(), "TCP"));
        for (var src : sources.entrySet()) {
          String edge = src.getKey() + "->" + dst.name() + ":" + cp.getName();
          boolean expected =
              EDGES.contains(edge)
                  || (src.getKey().equals(MONITORING)
                      && EDGES.contains(OUTSIDE + "->" + dst.name() + ":" + cp.getName()))
                  || (src.getKey().equals(MONITORING)
                      && metricsComponent
                      && cp.getName().equals("http"));
          for (Peer from : src.getValue()) {
            if (src.getKey().equals(dst.name())) {
              continue; // a pod talking to itself does not cross the network
            }
            boolean allowed = eval.allows(from, to, port);
            if (allowed != expected) {
              wrong.add(
                  (allowed ? "OPEN but should be closed: " : "CLOSED but should be open: ")
                      + from
                      + " -> "
                      + dst.name()
                      + ":"
                      + cp.getName()
                      + " ("
                      + cp.getContainerPort()
                      + ")");
            }
          }
        }
      }
    }
    assertEquals(List.of(), wrong, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void adminPorts_admitTheTrainerOnly(String name, RenderedManifests m) {
    NetworkPolicyEvaluator eval = evaluator(m);
    int adminPorts = 0;
    for (RenderedManifests.Workload dst : m.workloads()) {
      var admin = dst.port("admin");
      if (admin.isEmpty()) {
        continue;
      }
      adminPorts++;
      Port port = new Port(admin.get().getContainerPort(), "admin", "TCP");
      Peer to = eval.podHere(dst.name(), dst.podLabels());
      List<String> admitted = new ArrayList<>();
      for (RenderedManifests.Workload src : m.workloads()) {
        if (!src.name().equals(dst.name())
            && eval.allows(eval.podHere(src.name(), src.podLabels()), to, port)) {
          admitted.add(src.name());
        }
      }
      for (Peer outside :
          List.of(
              Peer.outsideCluster(),
              Peer.podInNamespace("elsewhere"),
              Peer.podInNamespace("monitoring"))) {
        if (eval.ingressAllows(outside, to, port)) {
          admitted.add(outside.label());
        }
      }
      // A pod of this namespace with labels nobody expects (a debug pod, a new service).
      if (eval.ingressAllows(eval.podHere("an unlabelled pod", Map.of("run", "debug")), to, port)) {
        admitted.add("an unlabelled pod");
      }
      assertEquals(
          List.of("trainer-svc"),
          admitted,
          name + ": who reaches " + dst.name() + " admin port " + port.number());
    }
    assertEquals(2, adminPorts, name + ": model-svc and reward-svc each declare an admin port");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void everyPod_mayResolveNames(String name, RenderedManifests m) {
    NetworkPolicyEvaluator eval = evaluator(m);
    Peer dns = Peer.podInNamespace("kube-system");
    for (RenderedManifests.Workload w : m.workloads()) {
      Peer from = eval.podHere(w.name(), w.podLabels());
      assertTrue(eval.egressAllows(from, dns, new Port(53, null, "UDP")), w.name() + " DNS/UDP");
      assertTrue(eval.egressAllows(from, dns, new Port(53, null, "TCP")), w.name() + " DNS/TCP");
      assertTrue(
          !eval.egressAllows(from, dns, new Port(443, null, "TCP")),
          w.name() + " may not reach other ports outside");
    }
  }

  private static NetworkPolicyEvaluator evaluator(RenderedManifests m) {
    Map<String, String> nsLabels = new HashMap<>();
    m.ofType(Namespace.class).stream()
        .filter(n -> n.getMetadata().getName().equals(Overlays.NAMESPACE))
        .findFirst()
        .ifPresent(
            n ->
                nsLabels.putAll(Objects.requireNonNullElse(n.getMetadata().getLabels(), Map.of())));
    nsLabels.put("kubernetes.io/metadata.name", Overlays.NAMESPACE);
    return new NetworkPolicyEvaluator(Overlays.NAMESPACE, nsLabels, m.networkPolicies());
  }
}
