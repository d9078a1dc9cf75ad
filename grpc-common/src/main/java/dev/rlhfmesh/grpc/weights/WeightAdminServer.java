package dev.rlhfmesh.grpc.weights;

import dev.rlhfmesh.grpc.AdminTokenInterceptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The admin port: a plain grpc-java Netty server carrying {@link WeightAdminGrpcService} behind
 * {@link AdminTokenInterceptor} (every call needs {@code authorization: Bearer <token>}), plus a
 * housekeeping thread that expires stale staged updates. Refuses to start without a token: an open
 * admin port would let anyone replace the weights.
 */
public final class WeightAdminServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(WeightAdminServer.class);

  /** Chunks are about 1 MiB; leave room for larger ones from other clients. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 64 << 20;

  private final Server server;
  private final ScheduledExecutorService housekeeping;

  private WeightAdminServer(Server server, ScheduledExecutorService housekeeping) {
    this.server = server;
    this.housekeeping = housekeeping;
  }

  /**
   * Starts serving.
   *
   * @param host address to bind (e.g. {@code 0.0.0.0})
   * @param port port, 0 for any free one (see {@link #port()})
   * @param token the admin token; must not be blank
   * @param staging the staged-update logic
   * @param expiryCheck how often stale updates are looked for
   */
  public static WeightAdminServer start(
      String host, int port, String token, WeightStaging staging, Duration expiryCheck) {
    AdminTokenInterceptor auth = new AdminTokenInterceptor(token);
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .addService(ServerInterceptors.intercept(new WeightAdminGrpcService(staging), auth))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the admin server on " + host + ":" + port, e);
    }
    ScheduledExecutorService hk =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "weight-staging-expiry");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, expiryCheck.toMillis());
    hk.scheduleWithFixedDelay(staging::expireStale, every, every, TimeUnit.MILLISECONDS);
    LOG.infof("weight admin server listening on %s:%d", host, server.getPort());
    return new WeightAdminServer(server, hk);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    housekeeping.shutdownNow();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    LOG.info("weight admin server stopped");
  }
}
