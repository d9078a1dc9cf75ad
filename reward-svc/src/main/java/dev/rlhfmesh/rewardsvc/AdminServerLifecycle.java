package dev.rlhfmesh.rewardsvc;

import dev.rlhfmesh.grpc.weights.WeightAdminServer;
import dev.rlhfmesh.grpc.weights.WeightStaging;
import dev.rlhfmesh.rewardsvc.config.RewardConfig;
import dev.rlhfmesh.rewardsvc.model.BatchedRewardModel;
import dev.rlhfmesh.rewardsvc.model.LearnedRewardModel;
import dev.rlhfmesh.rewardsvc.model.RewardWeightTarget;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/**
 * Starts the shared weight-admin server ({@code rlhf.admin.v1.WeightAdminService}, grpc-common
 * {@code weights}) on {@code rlhf.reward.admin.port} when {@code rlhf.reward.admin.token} is set;
 * the served models are the {@code type=model} specs by name. Without a token it stays off: an open
 * admin port would let anyone replace the weights.
 */
@Startup
@ApplicationScoped
public class AdminServerLifecycle {
  private static final Logger LOG = Logger.getLogger(AdminServerLifecycle.class);

  private final WeightAdminServer server;

  public AdminServerLifecycle(RewardConfig config, RewardRuntime runtime) {
    RewardConfig.Admin admin = config.admin();
    String token = admin.token().filter(t -> !t.isBlank()).orElse(null);
    if (token == null) {
      LOG.warn(
          "no admin token configured (rlhf.reward.admin.token / RLHF_REWARD_ADMIN_TOKEN): the"
              + " weight-admin server is NOT started and reward models cannot be updated over gRPC");
      server = null;
      return;
    }
    Map<String, LearnedRewardModel> models = new LinkedHashMap<>();
    for (Map.Entry<String, BatchedRewardModel> e : runtime.models().entrySet()) {
      models.put(e.getKey(), e.getValue().model());
    }
    WeightStaging staging =
        new WeightStaging(
            new RewardWeightTarget(models), admin.staleUpdateTtl(), admin.maxStagedBytes());
    server =
        WeightAdminServer.start(
            admin.host(), admin.port(), token, staging, admin.staleUpdateTtl().dividedBy(4));
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
