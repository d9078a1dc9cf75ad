package dev.rlhfmesh.k8stests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Ports, probes and Services agree with each service's own configuration: its
 * application.properties ports and the gRPC services its sources implement (proto names).
 */
class PortsAndProbesTest {
  static Stream<Arguments> rendered() {
    return Overlays.rendered();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void containerPorts_matchEachAppsConfiguredPorts(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (String svc : Overlays.SERVICES) {
      ServiceSources app = new ServiceSources(svc);
      RenderedManifests.Workload w = m.workload(svc);
      expectPort(failures, w, "grpc", app.intProperty("quarkus.grpc.server.port"));
      expectPort(failures, w, "http", app.intProperty("quarkus.http.port"));
      w.port("admin")
          .ifPresent(
              admin -> {
                String key = "RLHF_" + ConfigKeys.shortName(svc).toUpperCase() + "_ADMIN_PORT";
                String value =
                    m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN).get(key);
                if (!String.valueOf(admin.getContainerPort()).equals(value)) {
                  failures.add(
                      svc
                          + ": admin containerPort "
                          + admin.getContainerPort()
                          + " but "
                          + key
                          + "="
                          + value);
                }
              });
      for (ContainerPort p : w.container().getPorts()) {
        if (p.getName() == null) {
          failures.add(svc + ": unnamed container port " + p.getContainerPort());
        }
      }
    }
    assertEquals(List.of(), failures, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void probes_areGrpcHealthChecksOfTheServiceTheAppImplements(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (String svc : Overlays.SERVICES) {
      ServiceSources app = new ServiceSources(svc);
      Set<String> implemented = app.implementedGrpcServices();
      if (implemented.isEmpty()) {
        failures.add(svc + ": no @GrpcService implementing a proto service found in its sources");
      }
      int grpcPort = app.intProperty("quarkus.grpc.server.port");
      Container c = m.workload(svc).container();
      Map<String, Probe> probes = new java.util.LinkedHashMap<>();
      probes.put("startupProbe", c.getStartupProbe());
      probes.put("readinessProbe", c.getReadinessProbe());
      probes.put("livenessProbe", c.getLivenessProbe());
      probes.forEach(
          (kind, probe) -> {
            if (probe == null || probe.getGrpc() == null) {
              failures.add(svc + ": " + kind + " missing or not a gRPC probe");
              return;
            }
            if (!Objects.equals(probe.getGrpc().getPort(), grpcPort)) {
              failures.add(
                  svc
                      + ": "
                      + kind
                      + " port "
                      + probe.getGrpc().getPort()
                      + " != quarkus.grpc.server.port "
                      + grpcPort);
            }
            if (!implemented.contains(probe.getGrpc().getService())) {
              failures.add(
                  svc
                      + ": "
                      + kind
                      + " checks '"
                      + probe.getGrpc().getService()
                      + "' but the app implements "
                      + implemented);
            }
          });
    }
    assertEquals(List.of(), failures, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void everyService_selectsOneWorkloadAndTargetsItsNamedPorts(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (Service s : m.ofType(Service.class)) {
      String sn = s.getMetadata().getName();
      List<RenderedManifests.Workload> selected = m.selectedBy(s.getSpec().getSelector());
      if (selected.size() != 1) {
        failures.add("Service " + sn + " selects " + selected.size() + " workloads");
        continue;
      }
      RenderedManifests.Workload w = selected.get(0);
      for (ServicePort p : s.getSpec().getPorts()) {
        String target = p.getTargetPort() == null ? null : p.getTargetPort().getStrVal();
        var cp = target == null ? java.util.Optional.<ContainerPort>empty() : w.port(target);
        if (cp.isEmpty()) {
          failures.add(
              "Service "
                  + sn
                  + " port "
                  + p.getName()
                  + " targets '"
                  + target
                  + "', not a named port of "
                  + w.name());
        } else if (cp.get().getContainerPort().intValue() != p.getPort()) {
          failures.add(
              "Service "
                  + sn
                  + " port "
                  + p.getPort()
                  + " differs from container port "
                  + cp.get().getContainerPort());
        }
      }
    }
    assertEquals(List.of(), failures, name);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void modelAndRewardTiers_haveHeadlessServicesForPerCallBalancingAndWeightSync(
      String name, RenderedManifests m) {
    for (String svc : List.of("model-svc", "reward-svc")) {
      Service headless =
          m.service(svc + "-headless")
              .orElseThrow(() -> new AssertionError(svc + "-headless missing"));
      assertEquals("None", headless.getSpec().getClusterIP(), svc + "-headless must be headless");
      assertEquals(
          List.of("grpc"),
          headless.getSpec().getPorts().stream().map(ServicePort::getName).toList());
      Service admin =
          m.service(svc + "-admin").orElseThrow(() -> new AssertionError(svc + "-admin missing"));
      assertEquals("None", admin.getSpec().getClusterIP(), svc + "-admin must be headless");
      assertEquals(
          Boolean.TRUE,
          admin.getSpec().getPublishNotReadyAddresses(),
          svc + "-admin must list starting pods too");
      assertEquals(
          List.of("admin"), admin.getSpec().getPorts().stream().map(ServicePort::getName).toList());
    }
  }

  /**
   * Every gRPC client a manifest configures dials a Service that exists and exposes that port; a
   * client of a scaled tier (model-svc, reward-svc) dials its headless Service with round_robin.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void grpcClients_dialExistingServicesAndBalanceOverScaledTiers(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      Map<String, String> env =
          m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN);
      for (var e : env.entrySet()) {
        if (!e.getKey().startsWith("QUARKUS_GRPC_CLIENTS_") || !e.getKey().endsWith("_HOST")) {
          continue;
        }
        String prefix = e.getKey().substring(0, e.getKey().length() - "HOST".length());
        String where = w.name() + " " + prefix + "*";
        var target = m.service(e.getValue());
        if (target.isEmpty()) {
          failures.add(where + ": no Service named " + e.getValue());
          continue;
        }
        String port = env.get(prefix + "PORT");
        boolean exposes =
            target.get().getSpec().getPorts().stream()
                .anyMatch(p -> String.valueOf(p.getPort()).equals(port));
        if (!exposes) {
          failures.add(where + ": Service " + e.getValue() + " has no port " + port);
        }
        String callee = m.selectedBy(target.get().getSpec().getSelector()).get(0).name();
        if (callee.equals("model-svc") || callee.equals("reward-svc")) {
          if (!"None".equals(target.get().getSpec().getClusterIP())) {
            failures.add(
                where + ": dials " + callee + " through a ClusterIP (one connection = one pod)");
          }
          if (!"round_robin".equals(env.get(prefix + "LOAD_BALANCING_POLICY"))) {
            failures.add(where + ": needs LOAD_BALANCING_POLICY=round_robin for " + callee);
          }
          if (!"dns".equals(env.getOrDefault(prefix + "NAME_RESOLVER", "dns"))) {
            failures.add(where + ": needs the dns name resolver for " + callee);
          }
        }
      }
    }
    assertEquals(List.of(), failures, name);
  }

  /**
   * The gRPC clients a manifest configures are exactly those its app's sources inject
   * ({@code @GrpcClient("x")}): one not configured falls back to the app's default (localhost),
   * which is nothing inside a pod (found by the launch test's PPO job: reward-svc's tokenizer
   * client); one configured but never injected is an address, and a network policy edge, the app
   * does not need.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void grpcClientEnv_isExactlyTheClientsEachAppInjects(String name, RenderedManifests m) {
    List<String> failures = new ArrayList<>();
    for (RenderedManifests.Workload w : m.workloads()) {
      Map<String, String> env =
          m.environment(w.container(), RenderedManifests.ValueResolver.UNKNOWN);
      Set<String> injected = new ServiceSources(w.name()).grpcClientNames();
      for (String client : injected) {
        String prefix = "QUARKUS_GRPC_CLIENTS_" + ServiceSources.envForm(client) + "_";
        for (String key : List.of(prefix + "HOST", prefix + "PORT")) {
          if (!env.containsKey(key)) {
            failures.add(w.name() + " injects @GrpcClient(\"" + client + "\") but sets no " + key);
          }
        }
      }
      for (String key : env.keySet()) {
        if (key.startsWith("QUARKUS_GRPC_CLIENTS_") && key.endsWith("_HOST")) {
          String client =
              key.substring("QUARKUS_GRPC_CLIENTS_".length(), key.length() - "_HOST".length());
          boolean used = injected.stream().anyMatch(c -> ServiceSources.envForm(c).equals(client));
          if (!used) {
            failures.add(w.name() + " configures gRPC client " + client + " it never injects");
          }
        }
      }
    }
    assertEquals(List.of(), failures, name);
  }

  /**
   * The trainer's replica lists ({@code RLHF_TRAINER_*_REPLICAS=host:port,...}) name headless
   * Services, so that the name resolves to one A record per pod; the admin list names one that also
   * publishes pods still starting, on their admin port.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rendered")
  void replicaLists_nameHeadlessServicesOfEveryPod(String name, RenderedManifests m) {
    Map<String, String> env =
        m.environment(
            m.workload("trainer-svc").container(), RenderedManifests.ValueResolver.UNKNOWN);
    List<String> failures = new ArrayList<>();
    int found = 0;
    for (var e : env.entrySet()) {
      if (!e.getKey().endsWith("_REPLICAS")) {
        continue;
      }
      found++;
      boolean admin = e.getKey().contains("_ADMIN_");
      for (String hostPort : e.getValue().split(",")) {
        String[] hp = hostPort.trim().split(":");
        Service s = m.service(hp[0]).orElse(null);
        if (hp.length != 2 || s == null) {
          failures.add(e.getKey() + ": '" + hostPort + "' is not <Service>:<port>");
          continue;
        }
        if (!"None".equals(s.getSpec().getClusterIP())) {
          failures.add(
              e.getKey()
                  + ": "
                  + hp[0]
                  + " is not headless (its name would resolve to one virtual IP)");
        }
        if (admin && !Boolean.TRUE.equals(s.getSpec().getPublishNotReadyAddresses())) {
          failures.add(
              e.getKey() + ": " + hp[0] + " must publish not-ready pods (catch-up before ready)");
        }
        String portName = admin ? "admin" : "grpc";
        boolean exposes =
            s.getSpec().getPorts().stream()
                .anyMatch(
                    p -> portName.equals(p.getName()) && String.valueOf(p.getPort()).equals(hp[1]));
        if (!exposes) {
          failures.add(e.getKey() + ": " + hp[0] + " has no " + portName + " port " + hp[1]);
        }
      }
    }
    assertEquals(List.of(), failures, name);
    assertEquals(
        2, found, name + ": RLHF_TRAINER_POLICY_REPLICAS and RLHF_TRAINER_POLICY_ADMIN_REPLICAS");
  }

  private static void expectPort(
      List<String> failures, RenderedManifests.Workload w, String portName, int expected) {
    var p = w.port(portName);
    if (p.isEmpty()) {
      failures.add(w.name() + ": no container port named " + portName);
    } else if (p.get().getContainerPort() != expected) {
      failures.add(
          w.name()
              + ": port "
              + portName
              + "="
              + p.get().getContainerPort()
              + " but the app listens on "
              + expected);
    }
  }
}
