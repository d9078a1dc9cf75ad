package dev.rlhfmesh.trainersvc.rollout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses a replica list ({@code host:port,host:port}); a host that resolves to several addresses (a
 * headless Kubernetes service) gives one replica per address.
 */
public final class ReplicaAddresses {
  private ReplicaAddresses() {}

  public static List<InetSocketAddress> resolve(String key, List<String> entries) {
    Set<InetSocketAddress> out = new LinkedHashSet<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      if (colon <= 0 || colon == entry.length() - 1) {
        throw new IllegalArgumentException(key + ": '" + entry + "' is not host:port");
      }
      String host = entry.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(entry.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(key + ": bad port in '" + entry + "'");
      }
      if (port <= 0 || port > 65535) {
        throw new IllegalArgumentException(key + ": port out of range in '" + entry + "'");
      }
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          out.add(new InetSocketAddress(a, port));
        }
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(key + ": cannot resolve '" + host + "'", e);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(key + ": no replica address");
    }
    return new ArrayList<>(out);
  }

  /**
   * Pairs each admin address with the policy replica on the same host: for every admin address, the
   * {@link #target} of its replica, or null when no replica runs there (e.g. a pod that is still
   * starting: listed by a publish-not-ready admin Service, not yet by the ready one).
   *
   * <p>The two lists are resolved separately, so in a cluster they can differ in length and come
   * back in any order (DNS shuffles A records); one pod has one IP, so pairing by address is right
   * and pairing by position is not. Several replicas on one host (local runs on loopback) are
   * paired in the order they are listed.
   */
  public static List<String> pairByHost(
      List<InetSocketAddress> replicas, List<InetSocketAddress> admins) {
    Map<InetAddress, List<InetSocketAddress>> byHost = new HashMap<>();
    for (InetSocketAddress r : replicas) {
      byHost.computeIfAbsent(r.getAddress(), h -> new ArrayList<>()).add(r);
    }
    List<String> names = new ArrayList<>();
    for (InetSocketAddress a : admins) {
      List<InetSocketAddress> onHost = byHost.getOrDefault(a.getAddress(), List.of());
      names.add(onHost.isEmpty() ? null : target(onHost.remove(0)));
    }
    return names;
  }

  /** {@code host:port} of an address, for channel targets and logs. */
  public static String target(InetSocketAddress a) {
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
