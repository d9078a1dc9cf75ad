package dev.rlhfmesh.modelsvc;

import dev.rlhfmesh.grpc.weights.WeightAdminServer;
import dev.rlhfmesh.grpc.weights.WeightStaging;
import dev.rlhfmesh.modelsvc.config.ModelSvcConfig;
import dev.rlhfmesh.modelsvc.serving.ModelWeightTarget;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/**
 * Starts the weight-admin gRPC server ({@code rlhf.admin.v1.WeightAdminService}) on its own port
 * when an admin token is configured, and stops it on shutdown. Without a token it stays off: an
 * open admin port would let anyone replace the weights.
 */
@Startup
@ApplicationScoped
public class AdminServerLifecycle {
  private static final Logger LOG = Logger.getLogger(AdminServerLifecycle.class);

  private final WeightAdminServer server;

  @Inject
  public AdminServerLifecycle(ModelSvcConfig config, ModelSvcRuntime runtime) {
    ModelSvcConfig.Admin admin = config.admin();
    String token = admin.token().filter(t -> !t.isBlank()).orElse(null);
    if (token == null) {
      LOG.warn(
          "no admin token configured (rlhf.model.admin.token / RLHF_MODEL_ADMIN_TOKEN): the"
              + " weight-admin server is NOT started and weights cannot be updated over gRPC");
      server = null;
      return;
    }
    WeightStaging staging =
        new WeightStaging(
            new ModelWeightTarget(runtime.registry()),
            admin.staleUpdateTtl(),
            admin.maxStagedBytes());
    Duration check = admin.staleUpdateTtl().dividedBy(4);
    server = WeightAdminServer.start(admin.host(), admin.port(), token, staging, check);
  }

  /** The bound admin port, empty when the server is off. */
  public OptionalInt port() {
    return server == null ? OptionalInt.empty() : OptionalInt.of(server.port());
  }

  @PreDestroy
  void stop() {
    if (server != null) {
      server.close();
    }
  }
}
