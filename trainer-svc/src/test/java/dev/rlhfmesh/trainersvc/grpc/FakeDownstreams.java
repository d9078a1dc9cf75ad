package dev.rlhfmesh.trainersvc.grpc;

import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightAdminServer;
import dev.rlhfmesh.grpc.weights.WeightStaging;
import dev.rlhfmesh.grpc.weights.WeightTarget;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import dev.rlhfmesh.trainersvc.rollout.FakeModelReplica;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Two stand-in model-svc replicas (Generate/ScoreSequences on one port, the real grpc-common weight
 * admin server on another, whose commits move the replica's served version), for tests of the
 * trainer as their caller.
 */
public class FakeDownstreams implements QuarkusTestResourceLifecycleManager {
  static final String TOKEN = "test-admin-token";
  static final FakeModelReplica[] REPLICAS = new FakeModelReplica[2];
  static final WeightAdminServer[] ADMINS = new WeightAdminServer[2];
  static io.grpc.Server reward;

  /** Versions committed, per replica, in order. */
  static final List<List<Long>> COMMITTED =
      List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());

  @Override
  public Map<String, String> start() {
    StringBuilder policy = new StringBuilder();
    StringBuilder admin = new StringBuilder();
    try {
      for (int i = 0; i < 2; i++) {
        FakeModelReplica r = new FakeModelReplica();
        REPLICAS[i] = r;
        int idx = i;
        WeightTarget target =
            new WeightTarget() {
              @Override
              public long version(String model) {
                return r.version;
              }

              @Override
              public void checkManifest(String model, List<TensorSpec> manifest) {}

              @Override
              public long apply(String model, long version, List<TensorBytes> tensors) {
                r.version = version;
                COMMITTED.get(idx).add(version);
                return version;
              }

              @Override
              public long loadFromDirectory(String model, String directory, long version) {
                r.version = version;
                return version;
              }
            };
        ADMINS[i] =
            WeightAdminServer.start(
                "127.0.0.1",
                0,
                TOKEN,
                new WeightStaging(target, Duration.ofMinutes(5), 1L << 30),
                Duration.ofMinutes(1));
        policy.append(i == 0 ? "" : ",").append("127.0.0.1:").append(r.address().getPort());
        admin.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ADMINS[i].port());
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    try {
      reward =
          io.grpc.netty.NettyServerBuilder.forAddress(
                  new java.net.InetSocketAddress("127.0.0.1", 0))
              .addService(new FakeRewardService())
              .build()
              .start();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String dataDir;
    try {
      dataDir = java.nio.file.Files.createTempDirectory("trainer-test-data").toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> config = new java.util.HashMap<>();
    config.put("rlhf.trainer.data-dir", dataDir);
    config.put("rlhf.trainer.policy-replicas", policy.toString());
    config.put("rlhf.trainer.policy-admin-replicas", admin.toString());
    config.put("rlhf.trainer.admin-token", TOKEN);
    config.put("quarkus.grpc.clients.reward.host", "127.0.0.1");
    config.put("quarkus.grpc.clients.reward.port", Integer.toString(reward.getPort()));
    config.put("quarkus.grpc.clients.reward.test-port", Integer.toString(reward.getPort()));
    return config;
  }

  @Override
  public void stop() {
    if (reward != null) {
      reward.shutdownNow();
    }
    for (int i = 0; i < 2; i++) {
      if (ADMINS[i] != null) {
        ADMINS[i].close();
      }
      if (REPLICAS[i] != null) {
        REPLICAS[i].close();
      }
    }
  }
}
