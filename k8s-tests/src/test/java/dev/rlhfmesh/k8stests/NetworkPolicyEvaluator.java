package dev.rlhfmesh.k8stests;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Evaluates the NetworkPolicy objects of one namespace the way the API defines them: traffic to a
 * pod is allowed when no Ingress policy selects the pod or some rule of one that does admits it;
 * likewise for Egress on the sending pod; a connection needs both. Peers are either pods of this
 * namespace or endpoints elsewhere (a pod in another namespace, or an address outside the cluster).
 */
final class NetworkPolicyEvaluator {
  /**
   * One end of a connection. {@code namespaceLabels == null} means an address outside the cluster.
   */
  record Peer(String label, Map<String, String> podLabels, Map<String, String> namespaceLabels) {
    static Peer outsideCluster() {
      return new Peer("outside-the-cluster", Map.of(), null);
    }

    static Peer podInNamespace(String namespace) {
      return new Peer(
          "a pod in namespace " + namespace,
          Map.of("app", "something-else"),
          Map.of("kubernetes.io/metadata.name", namespace));
    }

    boolean inCluster() {
      return namespaceLabels != null;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /**
   * A destination port: number, optional name (as declared by the destination container), protocol.
   */
  record Port(int number, String name, String protocol) {}

  private final String namespace;
  private final Map<String, String> namespaceLabels;
  private final List<NetworkPolicy> policies;

  NetworkPolicyEvaluator(
      String namespace, Map<String, String> namespaceLabels, List<NetworkPolicy> policies) {
    this.namespace = namespace;
    this.namespaceLabels = namespaceLabels;
    this.policies = policies;
  }

  Peer podHere(String label, Map<String, String> podLabels) {
    return new Peer(label, podLabels, namespaceLabels);
  }

  boolean isHere(Peer p) {
    return Objects.equals(p.namespaceLabels(), namespaceLabels);
  }

  /** Whether {@code from} may open a connection to {@code port} of {@code to}. */
  boolean allows(Peer from, Peer to, Port port) {
    return (!isHere(to) || ingressAllows(from, to, port))
        && (!isHere(from) || egressAllows(from, to, port));
  }

  boolean ingressAllows(Peer from, Peer to, Port port) {
    boolean selected = false;
    for (NetworkPolicy p : policies) {
      if (!appliesTo(p, to, "Ingress")) {
        continue;
      }
      selected = true;
      for (var rule :
          Objects.requireNonNullElse(
              p.getSpec().getIngress(),
              List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of())) {
        if (portsMatch(rule.getPorts(), port) && peersMatch(rule.getFrom(), from)) {
          return true;
        }
      }
    }
    return !selected;
  }

  boolean egressAllows(Peer from, Peer to, Port port) {
    boolean selected = false;
    for (NetworkPolicy p : policies) {
      if (!appliesTo(p, from, "Egress")) {
        continue;
      }
      selected = true;
      for (var rule :
          Objects.requireNonNullElse(
              p.getSpec().getEgress(),
              List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of())) {
        if (portsMatch(rule.getPorts(), port) && peersMatch(rule.getTo(), to)) {
          return true;
        }
      }
    }
    return !selected;
  }

  private boolean appliesTo(NetworkPolicy p, Peer pod, String type) {
    if (!isHere(pod) || !namespace.equals(p.getMetadata().getNamespace())) {
      return false;
    }
    List<String> types = p.getSpec().getPolicyTypes();
    boolean hasType =
        types == null || types.isEmpty()
            ? type.equals("Ingress")
                || (type.equals("Egress")
                    && p.getSpec().getEgress() != null
                    && !p.getSpec().getEgress().isEmpty())
            : types.contains(type);
    return hasType && Labels.matches(p.getSpec().getPodSelector(), pod.podLabels());
  }

  /** Absent or empty port list: every port. A named port matches the destination's port name. */
  private static boolean portsMatch(List<NetworkPolicyPort> ports, Port port) {
    if (ports == null || ports.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPort p : ports) {
      String protocol = Objects.requireNonNullElse(p.getProtocol(), "TCP");
      if (!protocol.equals(port.protocol())) {
        continue;
      }
      IntOrString value = p.getPort();
      if (value == null) {
        return true;
      }
      if (value.getIntVal() != null) {
        int end = p.getEndPort() != null ? p.getEndPort() : value.getIntVal();
        if (port.number() >= value.getIntVal() && port.number() <= end) {
          return true;
        }
      } else if (value.getStrVal() != null && value.getStrVal().equals(port.name())) {
        return true;
      }
    }
    return false;
  }

  /** Absent or empty peer list: everyone, inside the cluster or not. */
  private boolean peersMatch(List<NetworkPolicyPeer> peers, Peer peer) {
    if (peers == null || peers.isEmpty()) {
      return true;
    }
    for (NetworkPolicyPeer p : peers) {
      if (p.getIpBlock() != null) {
        // An address range admits traffic from outside the cluster (and maybe pod IPs: count it).
        return true;
      }
      if (!peer.inCluster()) {
        continue;
      }
      boolean namespaceOk =
          p.getNamespaceSelector() == null
              ? isHere(peer)
              : Labels.matches(p.getNamespaceSelector(), peer.namespaceLabels());
      boolean podOk =
          p.getPodSelector() == null || Labels.matches(p.getPodSelector(), peer.podLabels());
      if (namespaceOk && podOk) {
        return true;
      }
    }
    return false;
  }
}
