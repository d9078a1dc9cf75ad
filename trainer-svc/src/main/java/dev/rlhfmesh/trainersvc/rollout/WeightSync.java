package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.grpc.weights.WeightPusher;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Logger;

/**
 * Pushes the learner's weights to every policy replica's admin port at once (grpc-common's {@link
 * WeightPusher}: versioned, chunked, all or nothing). Each replica is tried up to {@code
 * maxAttempts} times; one that still fails is reported in {@link Result#failed()} and benched in
 * the {@link ReplicaPool} (no rollouts from old weights) until a later push reaches it.
 */
public final class WeightSync implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WeightSync.class.getName());

  /** What one sync did. */
  public record Result(long version, long bytes, double millis, List<String> failed) {
    public double mbPerSecond() {
      return millis <= 0 ? 0 : (bytes / 1e6) / (millis / 1e3);
    }
  }

  private record Admin(
      String name, ManagedChannel channel, WeightPusher pusher, String policyName) {}

  private final List<Admin> admins = new ArrayList<>();
  private final int maxAttempts;
  private final ExecutorService executor;

  /**
   * @param adminAddresses admin ports, in the same order as {@code policyNames}
   * @param policyNames the matching {@link ModelReplica#name()}s (benched on failure), e.g. from
   *     {@link ReplicaAddresses#pairByHost}; a null entry, or a list shorter than the admins, means
   *     that admin has no serving replica and a failure there benches nothing
   */
  public WeightSync(
      List<InetSocketAddress> adminAddresses,
      List<String> policyNames,
      String adminToken,
      int chunkBytes,
      Duration timeout,
      int maxAttempts) {
    for (int i = 0; i < adminAddresses.size(); i++) {
      InetSocketAddress a = adminAddresses.get(i);
      ManagedChannel ch =
          NettyChannelBuilder.forAddress(a).usePlaintext().maxInboundMessageSize(64 << 20).build();
      admins.add(
          new Admin(
              ReplicaAddresses.target(a),
              ch,
              new WeightPusher(ch, adminToken, chunkBytes, timeout),
              i < policyNames.size() ? policyNames.get(i) : null));
    }
    this.maxAttempts = Math.max(1, maxAttempts);
    this.executor = Executors.newFixedThreadPool(Math.max(1, admins.size()));
  }

  /** The highest version any replica serves for {@code model} (unreachable replicas skipped). */
  public long maxServingVersion(String model) {
    long max = 0;
    for (Admin a : admins) {
      try {
        max = Math.max(max, a.pusher().version(model));
      } catch (RuntimeException e) {
        LOG.warning("cannot read the weight version of " + a.name() + ": " + e.getMessage());
      }
    }
    return max;
  }

  /**
   * Pushes {@code tensors} as {@code version} of {@code model} to every replica in parallel. Fails
   * (UNAVAILABLE) only when no replica took the update; otherwise the failed ones are benched.
   */
  public Result push(String model, long version, List<TensorBytes> tensors, ReplicaPool pool) {
    long bytes = tensors.stream().mapToLong(t -> t.data().length).sum();
    long start = System.nanoTime();
    List<CompletableFuture<String>> futures = new ArrayList<>();
    for (Admin a : admins) {
      futures.add(
          CompletableFuture.supplyAsync(() -> pushOne(a, model, version, tensors), executor));
    }
    List<String> failed = new ArrayList<>();
    for (int i = 0; i < admins.size(); i++) {
      Admin a = admins.get(i);
      String error = futures.get(i).join();
      if (a.policyName() != null && pool != null) {
        pool.markStale(a.policyName(), error != null);
      }
      if (error != null) {
        failed.add(a.name());
      }
    }
    double millis = (System.nanoTime() - start) / 1e6;
    if (!admins.isEmpty() && failed.size() == admins.size()) {
      throw ServiceException.unavailable(
          "weight version " + version + " reached no policy replica: " + failed, null);
    }
    return new Result(version, bytes * (admins.size() - failed.size()), millis, failed);
  }

  /** null on success, else the last error. */
  private String pushOne(Admin a, String model, long version, List<TensorBytes> tensors) {
    String error = null;
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        a.pusher().push(model, version, tensors);
        return null;
      } catch (RuntimeException e) {
        error = e.getMessage();
        try {
          if (a.pusher().version(model) >= version) {
            return null; // the commit landed though its answer was lost
          }
        } catch (RuntimeException ignored) {
          // replica unreachable: retry
        }
        LOG.warning(
            "weight push v"
                + version
                + " to "
                + a.name()
                + " failed (attempt "
                + attempt
                + "): "
                + error);
        sleep(100L * attempt);
      }
    }
    return error == null ? "failed" : error;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    admins.forEach(a -> a.channel().shutdownNow());
  }
}
