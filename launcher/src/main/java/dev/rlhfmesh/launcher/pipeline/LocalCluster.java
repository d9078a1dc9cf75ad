package dev.rlhfmesh.launcher.pipeline;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The services of one run as local processes on loopback: the ports they get, the configuration
 * keys each one is started with (the same keys an operator sets, see the README), and the order
 * they start in.
 */
public final class LocalCluster implements AutoCloseable {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path repo;
  private final Path runDir;
  private final Supervisor supervisor = new Supervisor();
  private final String adminToken = UUID.randomUUID().toString();
  private final int tokenizerPort = Supervisor.freePort();
  private final int trainerPort = Supervisor.freePort();
  private final int rewardPort = Supervisor.freePort();
  private final int rewardAdminPort = Supervisor.freePort();
  private final List<int[]> modelPorts = new ArrayList<>(); // {grpc, admin}

  private ServiceProcess tokenizer;
  private ServiceProcess trainer;
  private ServiceProcess reward;
  private final List<ServiceProcess> models = new ArrayList<>();

  public LocalCluster(Path repo, Path runDir, int modelReplicas) {
    this.repo = repo;
    this.runDir = runDir;
    for (int i = 0; i < modelReplicas; i++) {
      modelPorts.add(new int[] {Supervisor.freePort(), Supervisor.freePort()});
    }
  }

  private Path jar(String module) {
    return repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  private Map<String, String> common(String name, int grpcPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.grpc.server.port", Integer.toString(grpcPort));
    p.put("quarkus.http.port", Integer.toString(Supervisor.freePort()));
    p.put("quarkus.http.host", "127.0.0.1");
    p.put("quarkus.grpc.server.host", "127.0.0.1");
    p.put("quarkus.log.file.enabled", "false");
    p.put("ai.djl.pytorch.num_interop_threads", "1");
    // One intra-op thread per serving process: on 2 cores, two OpenMP pools per process fight
    // (measured 2.4x slower); the trainer, which runs alone during its learn phase, gets two.
    p.put("ai.djl.pytorch.num_threads", name.equals("trainer-svc") ? "2" : "1");
    return p;
  }

  private void client(Map<String, String> p, String name, int port) {
    p.put("quarkus.grpc.clients." + name + ".host", "127.0.0.1");
    p.put("quarkus.grpc.clients." + name + ".port", Integer.toString(port));
  }

  /** tokenizer-svc, serving the tokenizer in {@code tokenizerDir} if given, else its default. */
  public ServiceProcess startTokenizer(Path tokenizerDir) throws IOException, InterruptedException {
    Map<String, String> p = common("tokenizer-svc", tokenizerPort);
    p.put("rlhf.tokenizer.data-dir", runDir.resolve("tokenizer-svc").toString());
    if (tokenizerDir != null) {
      p.put("rlhf.tokenizer.path", tokenizerDir.toString());
    }
    tokenizer = start("tokenizer-svc", tokenizerPort, "rlhf.tokenizer.v1.TokenizerService", p);
    return tokenizer;
  }

  /** trainer-svc, pointed at every policy replica, the reward service and the tokenizer. */
  public ServiceProcess startTrainer(Path tokenizerDir) throws IOException, InterruptedException {
    Map<String, String> p = common("trainer-svc", trainerPort);
    p.put("rlhf.trainer.data-dir", runDir.resolve("trainer").toString());
    p.put("rlhf.trainer.tokenizer-path", tokenizerDir.toString());
    List<String> replicas = new ArrayList<>();
    List<String> admins = new ArrayList<>();
    for (int[] ports : modelPorts) {
      replicas.add("127.0.0.1:" + ports[0]);
      admins.add("127.0.0.1:" + ports[1]);
    }
    p.put("rlhf.trainer.policy-replicas", String.join(",", replicas));
    p.put("rlhf.trainer.policy-admin-replicas", String.join(",", admins));
    p.put("rlhf.trainer.admin-token", adminToken);
    client(p, "reward", rewardPort);
    client(p, "tokenizer", tokenizerPort);
    client(p, "model", modelPorts.get(0)[0]);
    trainer = start("trainer-svc", trainerPort, "rlhf.trainer.v1.TrainerService", p);
    return trainer;
  }

  /** Every model-svc replica, serving {@code policyDir} as both policy and reference. */
  public List<ServiceProcess> startModels(Path policyDir, Path referenceDir, Path tokenizerDir)
      throws IOException, InterruptedException {
    for (int i = 0; i < modelPorts.size(); i++) {
      int[] ports = modelPorts.get(i);
      Map<String, String> p = common("model-svc-" + i, ports[0]);
      p.put("rlhf.model.models.policy.path", policyDir.toString());
      p.put("rlhf.model.models.reference.path", referenceDir.toString());
      p.put("rlhf.model.tokenizer-path", tokenizerDir.toString());
      p.put("rlhf.model.admin.host", "127.0.0.1");
      p.put("rlhf.model.admin.port", Integer.toString(ports[1]));
      p.put("rlhf.model.admin.token", adminToken);
      models.add(
          startAsync("model-svc-" + i, "model-svc", ports[0], "rlhf.model.v1.ModelService", p));
    }
    for (ServiceProcess m : models) {
      m.awaitServing(START_TIMEOUT);
    }
    return models;
  }

  /** reward-svc with the learned reward model in {@code rewardModelDir} as spec {@code learned}. */
  public ServiceProcess startReward(Path rewardModelDir) throws IOException, InterruptedException {
    return startReward(Map.of("rlhf.reward.specs.learned.path", rewardModelDir.toString()));
  }

  /** reward-svc with extra configuration, e.g. rule-based specs ({@code rlhf.reward.specs.*}). */
  public ServiceProcess startReward(Map<String, String> specs)
      throws IOException, InterruptedException {
    Map<String, String> p = common("reward-svc", rewardPort);
    p.putAll(specs);
    p.put("rlhf.reward.admin.host", "127.0.0.1");
    p.put("rlhf.reward.admin.port", Integer.toString(rewardAdminPort));
    p.put("rlhf.reward.admin.token", adminToken);
    client(p, "tokenizer", tokenizerPort);
    reward = start("reward-svc", rewardPort, "rlhf.reward.v1.RewardService", p);
    return reward;
  }

  private ServiceProcess start(String name, int port, String health, Map<String, String> props)
      throws IOException, InterruptedException {
    ServiceProcess s = startAsync(name, name, port, health, props);
    s.awaitServing(START_TIMEOUT);
    return s;
  }

  private ServiceProcess startAsync(
      String name, String module, int port, String health, Map<String, String> props)
      throws IOException {
    ServiceProcess s =
        new ServiceProcess(name, jar(module), port, health, props, runDir.resolve("logs"));
    return supervisor.start(s);
  }

  public ServiceProcess tokenizer() {
    return tokenizer;
  }

  public ServiceProcess trainer() {
    return trainer;
  }

  public ServiceProcess reward() {
    return reward;
  }

  public List<ServiceProcess> models() {
    return List.copyOf(models);
  }

  public String deadProcessLogs() {
    return supervisor.deadProcessLogs(40);
  }

  @Override
  public void close() {
    supervisor.close();
  }
}
