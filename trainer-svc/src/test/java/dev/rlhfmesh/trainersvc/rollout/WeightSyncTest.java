package dev.rlhfmesh.trainersvc.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightAdminServer;
import dev.rlhfmesh.grpc.weights.WeightStaging;
import dev.rlhfmesh.grpc.weights.WeightTarget;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightSyncTest {
  static final String TOKEN = "t";

  static final List<TensorBytes> WEIGHTS =
      List.of(new TensorBytes("w", DType.D_TYPE_FLOAT32, new long[] {2, 3}, new byte[24]));

  static WeightAdminServer admin(FakeModelReplica r) {
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
            return version;
          }

          @Override
          public long loadFromDirectory(String model, String directory, long version) {
            return version;
          }
        };
    return WeightAdminServer.start(
        "127.0.0.1",
        0,
        TOKEN,
        new WeightStaging(target, Duration.ofMinutes(1), 1 << 20),
        Duration.ofMinutes(1));
  }

  static InetSocketAddress deadPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return new InetSocketAddress("127.0.0.1", s.getLocalPort());
    }
  }

  @Test
  void aReplicaThatMissesThePush_isReportedAndGetsNoRollouts() throws Exception {
    try (FakeModelReplica a = new FakeModelReplica();
        FakeModelReplica b = new FakeModelReplica();
        WeightAdminServer adminA = admin(a);
        ReplicaPool pool =
            new ReplicaPool(
                List.of(new ModelReplica(a.address()), new ModelReplica(b.address())),
                2,
                Duration.ofSeconds(10),
                3);
        WeightSync sync =
            new WeightSync(
                List.of(new InetSocketAddress("127.0.0.1", adminA.port()), deadPort()),
                pool.replicas().stream().map(ModelReplica::name).toList(),
                TOKEN,
                8,
                Duration.ofSeconds(5),
                2)) {
      WeightSync.Result r = sync.push("policy", 5, WEIGHTS, pool);
      assertEquals(5, a.version);
      assertEquals(1, r.failed().size(), "the dead admin port is reported");
      pool.generateAll(ReplicaPoolTest.requests(6, 1), 0, () -> false);
      assertEquals(0, b.generateCalls.get(), "no rollouts from the replica left on old weights");
      assertEquals(6, a.generateCalls.get());
    }
  }

  @Test
  void noReplicaTakingThePush_failsUnavailable() throws Exception {
    try (WeightSync sync =
        new WeightSync(List.of(deadPort()), List.of(), TOKEN, 8, Duration.ofSeconds(5), 2)) {
      ServiceException e =
          assertThrows(ServiceException.class, () -> sync.push("policy", 1, WEIGHTS, null));
      assertEquals(ErrorKind.UNAVAILABLE, e.kind());
    }
  }
}
