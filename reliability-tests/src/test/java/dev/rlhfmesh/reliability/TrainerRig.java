package dev.rlhfmesh.reliability;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import dev.rlhfmesh.proto.trainer.v1.TrainerServiceGrpc;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * trainer-svc as a real process on one job directory, killed and started again on it, plus (for
 * PPO) one model-svc replica and reward-svc it trains against. Not the shared {@link Mesh}: PPO
 * pushes weights to its replica, which must not be a replica the other tests read, and an SFT run
 * needs no other service at all. Every port is chosen up front, so a restarted trainer gets the
 * same configuration (an operator restarting it would not change it either).
 */
final class TrainerRig implements AutoCloseable {
  private static final Duration START = Duration.ofSeconds(180);

  private final Supervisor supervisor = new Supervisor();
  private final Path repo;
  private final Path dir;
  private final String adminToken = "adm-" + UUID.randomUUID();
  final int trainerPort = Supervisor.freePort();
  final int modelPort = Supervisor.freePort();
  final int modelAdminPort = Supervisor.freePort();
  final int rewardPort = Supervisor.freePort();
  final int rewardAdminPort = Supervisor.freePort();
  private volatile ServiceProcess trainer;
  private int trainerStarts;

  TrainerRig() throws IOException {
    repo = Path.of(System.getProperty("rlhf.repo.root", "..")).toAbsolutePath().normalize();
    dir =
        Path.of(System.getProperty("reliability.dir", "target/reliability"))
            .toAbsolutePath()
            .resolve("trainer-" + System.currentTimeMillis());
    Files.createDirectories(dir);
  }

  /** trainer-svc's {@code rlhf.trainer.data-dir}: every job lives under {@code jobs/<id>/}. */
  Path jobsRoot() {
    return dir.resolve("trainer-data");
  }

  Path jobDir(String jobId) {
    return jobsRoot().resolve("jobs").resolve(jobId);
  }

  Path logDir() {
    return dir.resolve("logs");
  }

  /**
   * The built-in addition task's files and its character tokenizer ({@code sft.jsonl}, {@code
   * prompts.jsonl}, {@code tokenizer.json}, ...), written by the packaged trainer's own CLI ({@code
   * TrainerCli addition-data}) from the fast-jar's class path.
   */
  Path writeAdditionData() throws IOException, InterruptedException {
    Path data = dir.resolve("addition");
    Path app = repo.resolve("trainer-svc/target/quarkus-app");
    String cp =
        String.join(
            File.pathSeparator,
            app.resolve("app/*").toString(),
            app.resolve("lib/main/*").toString(),
            app.resolve("lib/boot/*").toString());
    Path log = logDir().resolve("addition-data.log");
    Files.createDirectories(log.getParent());
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                cp,
                "dev.rlhfmesh.trainersvc.cli.TrainerCli",
                "addition-data",
                data.toString(),
                "--seed",
                "1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(
          "TrainerCli addition-data failed: " + Files.readString(log, StandardCharsets.UTF_8));
    }
    return data;
  }

  /**
   * Starts trainer-svc on {@link #jobsRoot()} and waits for SERVING; the n-th start logs to {@code
   * trainer-svc-n.log}. It resumes every job the directory holds as RUNNING or QUEUED.
   */
  synchronized ServiceProcess startTrainer() throws IOException, InterruptedException {
    Map<String, String> p = Mesh.common(trainerPort);
    p.put("rlhf.trainer.data-dir", jobsRoot().toString());
    p.put("rlhf.trainer.policy-replicas", "127.0.0.1:" + modelPort);
    p.put("rlhf.trainer.policy-admin-replicas", "127.0.0.1:" + modelAdminPort);
    p.put("rlhf.trainer.admin-token", adminToken);
    p.put("rlhf.trainer.call-timeout", "30s");
    p.put("quarkus.grpc.clients.reward.host", "127.0.0.1");
    p.put("quarkus.grpc.clients.reward.port", Integer.toString(rewardPort));
    trainer = start("trainer-svc-" + ++trainerStarts, "trainer-svc", p);
    return trainer;
  }

  ServiceProcess trainer() {
    return trainer;
  }

  /** SIGKILL (no shutdown hook, no graceful stop) and wait until the process is gone. */
  void killTrainer() throws InterruptedException {
    ServiceProcess t = trainer;
    t.kill();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (t.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    if (t.isAlive()) {
      throw new IllegalStateException(t.name() + " still alive 20 s after SIGKILL");
    }
  }

  TrainerServiceGrpc.TrainerServiceBlockingStub stub() {
    return TrainerServiceGrpc.newBlockingStub(trainer.channel())
        .withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  /**
   * One model-svc replica serving {@code policyDir} as policy and reference (its tokenizer too),
   * and reward-svc with its built-in specs, both started at once.
   */
  void startModelAndReward(Path policyDir) throws IOException, InterruptedException {
    Map<String, String> m = Mesh.common(modelPort);
    m.put("rlhf.model.models.policy.path", policyDir.toString());
    m.put("rlhf.model.models.reference.path", policyDir.toString());
    m.put("rlhf.model.tokenizer-path", policyDir.toString());
    m.put("rlhf.model.admin.host", "127.0.0.1");
    m.put("rlhf.model.admin.port", Integer.toString(modelAdminPort));
    m.put("rlhf.model.admin.token", adminToken);
    Map<String, String> r = Mesh.common(rewardPort);
    r.put("rlhf.reward.admin.host", "127.0.0.1");
    r.put("rlhf.reward.admin.port", Integer.toString(rewardAdminPort));
    r.put("rlhf.reward.admin.token", adminToken);
    r.put("rlhf.reward.batching.max-wait-ms", "1");
    r.put("quarkus.grpc.clients.tokenizer.host", "127.0.0.1");
    r.put("quarkus.grpc.clients.tokenizer.port", Integer.toString(Supervisor.freePort()));
    List<ServiceProcess> started = new ArrayList<>();
    started.add(supervisor.start(process("model-svc-ppo", "model-svc", m)));
    started.add(supervisor.start(process("reward-svc-ppo", "reward-svc", r)));
    for (ServiceProcess s : started) {
      s.awaitServing(START);
    }
  }

  private ServiceProcess process(String name, String module, Map<String, String> props) {
    return new ServiceProcess(
        name,
        repo.resolve(module).resolve("target/quarkus-app/quarkus-run.jar"),
        Integer.parseInt(props.get("quarkus.grpc.server.port")),
        "",
        props,
        logDir());
  }

  private ServiceProcess start(String name, String module, Map<String, String> props)
      throws IOException, InterruptedException {
    ServiceProcess s = supervisor.start(process(name, module, props));
    s.awaitServing(START);
    return s;
  }

  String deadProcessLogs() {
    return supervisor.deadProcessLogs(40);
  }

  @Override
  public void close() {
    supervisor.close();
  }
}
