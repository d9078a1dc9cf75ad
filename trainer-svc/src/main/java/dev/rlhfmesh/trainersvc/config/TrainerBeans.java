package dev.rlhfmesh.trainersvc.config;

import dev.rlhfmesh.proto.trainer.v1.JobKind;
import dev.rlhfmesh.trainersvc.data.HfTextCodec;
import dev.rlhfmesh.trainersvc.jobs.CoreLearners;
import dev.rlhfmesh.trainersvc.jobs.JobManager;
import dev.rlhfmesh.trainersvc.jobs.JobStore;
import dev.rlhfmesh.trainersvc.jobs.Learners;
import dev.rlhfmesh.trainersvc.jobs.PpoStage;
import dev.rlhfmesh.trainersvc.jobs.RewardModelStage;
import dev.rlhfmesh.trainersvc.jobs.SftStage;
import dev.rlhfmesh.trainersvc.jobs.StageRunner;
import dev.rlhfmesh.trainersvc.jobs.TokenizerSource;
import dev.rlhfmesh.trainersvc.rollout.ModelReplica;
import dev.rlhfmesh.trainersvc.rollout.ReplicaAddresses;
import dev.rlhfmesh.trainersvc.rollout.ReplicaPool;
import dev.rlhfmesh.trainersvc.rollout.RewardScorer;
import dev.rlhfmesh.trainersvc.rollout.RolloutServices;
import dev.rlhfmesh.trainersvc.rollout.WeightSync;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Builds the job manager and the stages from {@link TrainerConfig}; resumes jobs at start. */
@ApplicationScoped
public class TrainerBeans {
  private static final Logger LOG = Logger.getLogger(TrainerBeans.class.getName());

  @Inject TrainerConfig config;

  @GrpcClient("reward")
  Channel reward;

  /**
   * Learners from a CDI bean when one exists (tests), else the learning core ({@link
   * CoreLearners}).
   */
  @Inject Instance<Learners> learnersBean;

  @Produces
  @Singleton
  JobManager jobManager(JobGauges gauges) {
    Learners learners = learnersBean.isResolvable() ? learnersBean.get() : new CoreLearners();
    TokenizerSource tokenizers =
        new TokenizerSource(config.tokenizerPath().map(Path::of), HfTextCodec::new);
    Map<JobKind, StageRunner> stages = new EnumMap<>(JobKind.class);
    stages.put(JobKind.JOB_KIND_SFT, new SftStage(learners, tokenizers));
    stages.put(JobKind.JOB_KIND_REWARD_MODEL, new RewardModelStage(learners, tokenizers));
    stages.put(JobKind.JOB_KIND_PPO, new PpoStage(learners, tokenizers, this::rolloutServices));
    JobManager manager =
        new JobManager(
            new JobStore(Path.of(config.dataDir())),
            stages::get,
            config.maxRunningJobs(),
            Clock.systemUTC());
    manager.addGlobalListener(gauges);
    return manager;
  }

  /** Fresh clients for one PPO job (addresses re-resolved, so a scaled service is picked up). */
  RolloutServices rolloutServices() {
    List<InetSocketAddress> policy =
        ReplicaAddresses.resolve("rlhf.trainer.policy-replicas", config.policyReplicas());
    List<InetSocketAddress> admin =
        ReplicaAddresses.resolve(
            "rlhf.trainer.policy-admin-replicas", config.policyAdminReplicas());
    List<ModelReplica> replicas = policy.stream().map(ModelReplica::new).toList();
    ReplicaPool pool =
        new ReplicaPool(
            replicas, config.generateConcurrency(), config.callTimeout(), config.maxAttempts());
    WeightSync sync =
        new WeightSync(
            admin,
            ReplicaAddresses.pairByHost(policy, admin),
            config.adminToken().orElse(""),
            config.syncChunkBytes(),
            config.callTimeout(),
            config.maxAttempts());
    return new RolloutServices(
        pool, sync, new RewardScorer(reward, config.callTimeout(), config.maxAttempts(), 256), 64);
  }

  void onStart(@Observes StartupEvent event, JobManager manager) {
    if (config.resumeOnStart()) {
      int n = manager.resumeInterrupted();
      if (n > 0) {
        LOG.info("resuming " + n + " job(s) interrupted by the last shutdown");
      }
    }
  }

  void onStop(@Observes ShutdownEvent event, JobManager manager) {
    manager.close();
  }
}
