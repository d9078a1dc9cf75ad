package dev.rlhfmesh.k8stests;

import dev.rlhfmesh.launcher.process.FreePorts;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.ToIntFunction;

/**
 * The loopback stand-ins of a rendered overlay's network for {@link LocalCluster}: a free local
 * port for each container port of each pod, the DNS names of every Service (short, {@code .ns},
 * {@code .ns.svc...}) as {@code 127.0.0.1}, and the rewriting of env values that name them.
 */
final class LocalAddresses {
  /** Container port -> its local stand-in in each pod of the workload that declares it. */
  private final Map<Integer, List<Integer>> localPortsOf = new LinkedHashMap<>();

  private final Map<Integer, String> workloadOfPort = new LinkedHashMap<>();
  private final Set<String> hostNames = new TreeSet<>();
  private final Set<String> headlessNames = new TreeSet<>();

  LocalAddresses(RenderedManifests m, ToIntFunction<RenderedManifests.Workload> pods) {
    for (RenderedManifests.Workload w : m.workloads()) {
      for (ContainerPort p : w.container().getPorts()) {
        List<Integer> local = new ArrayList<>();
        for (int i = 0; i < pods.applyAsInt(w); i++) {
          local.add(freePort());
        }
        localPortsOf.put(p.getContainerPort(), local);
        workloadOfPort.put(p.getContainerPort(), w.name());
      }
    }
    for (Service s : m.ofType(Service.class)) {
      String n = s.getMetadata().getName();
      String ns = s.getMetadata().getNamespace();
      List<String> names =
          List.of(n, n + "." + ns, n + "." + ns + ".svc", n + "." + ns + ".svc.cluster.local");
      hostNames.addAll(names);
      if ("None".equals(s.getSpec().getClusterIP())) {
        headlessNames.addAll(names);
      }
    }
  }

  /**
   * The local port of container port {@code containerPort} in pod {@code index} of its workload.
   */
  int localPort(int containerPort, int index) {
    return localPortsOf.get(containerPort).get(index);
  }

  /**
   * The env value as the pod {@code index} of {@code workload} gets it locally, or {@code value}
   * unchanged when it names nothing of the network: a Service name becomes {@code 127.0.0.1}; a
   * {@code *_PORT} equal to a container port becomes the pod's own stand-in for its own ports, the
   * first pod's for another workload's; in a {@code host:port} list both halves are rewritten, a
   * headless Service standing for every pod behind it (its A records).
   */
  String rewrite(String key, String value, String workload, int index) {
    if (hostNames.contains(value)) {
      return "127.0.0.1";
    }
    if (key.endsWith("_PORT")
        && value.matches("\\d+")
        && localPortsOf.containsKey(Integer.parseInt(value))) {
      int port = Integer.parseInt(value);
      int pod = workload.equals(workloadOfPort.get(port)) ? index : 0;
      return String.valueOf(localPortsOf.get(port).get(pod));
    }
    if (value.matches("[\\w.-]+:\\d+(\\s*,\\s*[\\w.-]+:\\d+)*")) {
      List<String> items = new ArrayList<>();
      for (String item : value.split("\\s*,\\s*")) {
        String host = item.substring(0, item.lastIndexOf(':'));
        int port = Integer.parseInt(item.substring(item.lastIndexOf(':') + 1));
        if (!hostNames.contains(host) || !localPortsOf.containsKey(port)) {
          items.add(item);
        } else if (headlessNames.contains(host)) {
          localPortsOf.get(port).forEach(p -> items.add("127.0.0.1:" + p));
        } else {
          items.add("127.0.0.1:" + localPortsOf.get(port).get(0));
        }
      }
      return String.join(",", items);
    }
    return value;
  }

  /** Below the ephemeral range, so no outgoing connection takes it before its app binds it. */
  private static int freePort() {
    return FreePorts.next();
  }
}
