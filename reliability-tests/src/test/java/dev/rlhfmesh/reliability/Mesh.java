package dev.rlhfmesh.reliability;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The packaged apps as real processes on loopback, started once per test JVM and stopped by the
 * {@link Supervisor} (its shutdown hook runs when surefire's JVM exits).
 *
 * <p>Not {@code LocalCluster}: that one starts the demo's configuration and keeps its ports and
 * admin token to itself; these tests need a tiny seeded policy, a deliberately narrow replica
 * (small admission queue), a gateway with known API keys and the admin token, so they compose the
 * same {@link ServiceProcess} / {@link Supervisor} with their own keys. Each process gets its
 * config as system properties; secrets go through the same keys an operator would set.
 */
public final class Mesh {
  private static final Duration START = Duration.ofSeconds(180);
  private static Mesh shared;

  /** Admin bearer token of model-svc and reward-svc; the log grep looks for it. */
  public final String adminToken = "adm-" + UUID.randomUUID();

  /** The gateway's accepted API key (given through {@code rlhf.gateway.api-keys-file}). */
  public final String apiKey = "key-" + UUID.randomUUID();

  /** Shape of the seeded policy every model-svc here serves (vocab 512, 64 positions). */
  public static final int VOCAB = 512;

  public static final int N_POSITIONS = 64;
  public static final int N_EMBD = 32;
  public static final int N_LAYER = 2;
  public static final int N_HEAD = 4;

  private final Supervisor supervisor = new Supervisor();
  private final Path dir;
  private final Path repo;

  public final ServiceProcess tokenizer;
  public final ServiceProcess model;
  public final ServiceProcess narrowModel;
  private volatile ServiceProcess reward;
  public final ServiceProcess gateway;
  public final ServiceProcess trainer;
  public final int modelAdminPort = Supervisor.freePort();
  public final int narrowAdminPort = Supervisor.freePort();
  public final int rewardAdminPort = Supervisor.freePort();
  public final int gatewayHttpPort = Supervisor.freePort();
  public final int rewardPort = Supervisor.freePort();

  /** The one cluster of this JVM, started on first use. */
  public static synchronized Mesh get() {
    if (shared == null) {
      try {
        shared = new Mesh();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    return shared;
  }

  private Mesh() throws IOException, InterruptedException {
    repo = Path.of(System.getProperty("rlhf.repo.root", "..")).toAbsolutePath().normalize();
    dir =
        Path.of(System.getProperty("reliability.dir", "target/reliability"))
            .resolve("run-" + System.currentTimeMillis());
    Files.createDirectories(dir);
    Path keys = dir.resolve("api-keys.txt");
    Files.writeString(keys, "# gateway keys for the reliability tests\n" + apiKey + "\n");

    Map<String, String> t = common(Supervisor.freePort());
    t.put("rlhf.tokenizer.data-dir", dir.resolve("tokenizer").toString());
    tokenizer = start("tokenizer-svc", "tokenizer-svc", t);

    model =
        start("model-svc", "model-svc", modelProps(Supervisor.freePort(), modelAdminPort, 16, 256));
    narrowModel =
        start(
            "model-svc-narrow",
            "model-svc",
            modelProps(Supervisor.freePort(), narrowAdminPort, 2, 2));
    reward = startReward(rewardPort);

    gateway = startGateway("gateway", gatewayHttpPort, model);
    trainer = start("trainer-svc", "trainer-svc", trainerProps(Supervisor.freePort()));
  }

  /**
   * trainer-svc for the bad-input and secret checks (no job runs on it: every row is refused at
   * validation), pointed at the main replica and reward-svc with the admin token an operator would
   * give it.
   */
  private Map<String, String> trainerProps(int grpcPort) {
    Map<String, String> p = common(grpcPort);
    p.put("rlhf.trainer.data-dir", dir.resolve("trainer-data").toString());
    p.put("rlhf.trainer.policy-replicas", "127.0.0.1:" + model.grpcPort());
    p.put("rlhf.trainer.policy-admin-replicas", "127.0.0.1:" + modelAdminPort);
    p.put("rlhf.trainer.admin-token", adminToken);
    client(p, "reward", rewardPort);
    return p;
  }

  /**
   * A gateway on {@code httpPort} in front of {@code modelReplica}, with the key file of this mesh
   * and its rate limit off (admission is then the model's queue).
   */
  public ServiceProcess startGateway(String name, int httpPort, ServiceProcess modelReplica)
      throws IOException, InterruptedException {
    return start(name, "gateway", gatewayProps(httpPort, modelReplica));
  }

  /** Properties of a gateway as {@link #startGateway} starts it (tests may change them first). */
  public Map<String, String> gatewayProps(int httpPort, ServiceProcess modelReplica) {
    Map<String, String> g = common(Supervisor.freePort());
    g.put("quarkus.http.port", Integer.toString(httpPort));
    g.put("rlhf.gateway.api-keys-file", dir.resolve("api-keys.txt").toString());
    g.put("rlhf.gateway.rate-limit.requests-per-second", "0");
    g.put("rlhf.gateway.request-timeout", "20s");
    client(g, "tokenizer", tokenizer.grpcPort());
    client(g, "model", modelReplica.grpcPort());
    client(g, "trainer", Supervisor.freePort()); // no trainer here: job routes answer 503
    return g;
  }

  /** Properties of a model-svc replica serving the tiny seeded policy/reference. */
  public Map<String, String> modelProps(int grpcPort, int adminPort, int maxBatch, int queue) {
    Map<String, String> p = common(grpcPort);
    p.put("rlhf.model.init.vocab-size", Integer.toString(VOCAB));
    p.put("rlhf.model.init.n-positions", Integer.toString(N_POSITIONS));
    p.put("rlhf.model.init.n-embd", Integer.toString(N_EMBD));
    p.put("rlhf.model.init.n-layer", Integer.toString(N_LAYER));
    p.put("rlhf.model.init.n-head", Integer.toString(N_HEAD));
    p.put("rlhf.model.scheduler.max-batch", Integer.toString(maxBatch));
    p.put("rlhf.model.scheduler.queue-capacity", Integer.toString(queue));
    p.put("rlhf.model.admin.host", "127.0.0.1");
    p.put("rlhf.model.admin.port", Integer.toString(adminPort));
    p.put("rlhf.model.admin.token", adminToken);
    return p;
  }

  /** reward-svc as it runs now (the outage test kills and restarts it). */
  public ServiceProcess reward() {
    return reward;
  }

  /** Starts reward-svc again on its port after it was killed. */
  public synchronized ServiceProcess restartReward() throws IOException, InterruptedException {
    reward = startReward(rewardPort);
    return reward;
  }

  /** reward-svc on {@code port} (the built-in specs; {@code learned} is a seeded model). */
  private ServiceProcess startReward(int port) throws IOException, InterruptedException {
    Map<String, String> r = common(port);
    r.put("rlhf.reward.admin.host", "127.0.0.1");
    r.put("rlhf.reward.admin.port", Integer.toString(rewardAdminPort));
    r.put("rlhf.reward.admin.token", adminToken);
    r.put("rlhf.reward.batching.max-wait-ms", "1");
    client(r, "tokenizer", tokenizer.grpcPort());
    return start("reward-svc", "reward-svc", r);
  }

  /**
   * Properties every locally started service gets: loopback ports, no log file, our code at DEBUG,
   * one DJL thread (also used by {@link TrainerRig}).
   */
  static Map<String, String> common(int grpcPort) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.grpc.server.port", Integer.toString(grpcPort));
    p.put("quarkus.grpc.server.host", "127.0.0.1");
    p.put("quarkus.http.port", Integer.toString(Supervisor.freePort()));
    p.put("quarkus.http.host", "127.0.0.1");
    p.put("quarkus.log.file.enabled", "false");
    // Our own code at DEBUG, so the no-secret-in-logs check reads more than the start banner.
    p.put("quarkus.log.category.\"dev.rlhfmesh\".level", "DEBUG");
    p.put("ai.djl.pytorch.num_threads", "1");
    p.put("ai.djl.pytorch.num_interop_threads", "1");
    return p;
  }

  private static void client(Map<String, String> p, String name, int port) {
    p.put("quarkus.grpc.clients." + name + ".host", "127.0.0.1");
    p.put("quarkus.grpc.clients." + name + ".port", Integer.toString(port));
  }

  /**
   * Starts a packaged app (module {@code module}) as process {@code name} and waits for SERVING.
   */
  public ServiceProcess start(String name, String module, Map<String, String> props)
      throws IOException, InterruptedException {
    int port = Integer.parseInt(props.get("quarkus.grpc.server.port"));
    ServiceProcess s =
        new ServiceProcess(
            name,
            repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"),
            port,
            "",
            props,
            dir.resolve("logs"));
    supervisor.start(s);
    s.awaitServing(START);
    return s;
  }

  /** Every log file written so far, concatenated (for the secret grep). */
  public String allLogs() throws IOException {
    StringBuilder sb = new StringBuilder();
    try (var files = Files.list(dir.resolve("logs"))) {
      for (Path f : files.sorted().toList()) {
        sb.append(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  public Path logDir() {
    return dir.resolve("logs");
  }

  public String deadProcessLogs() {
    return supervisor.deadProcessLogs(40);
  }
}
