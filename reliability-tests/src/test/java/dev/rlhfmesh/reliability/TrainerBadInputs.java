package dev.rlhfmesh.reliability;

import static dev.rlhfmesh.reliability.GrpcBadInputs.text;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.trainer.v1.CancelJobRequest;
import dev.rlhfmesh.proto.trainer.v1.GetJobRequest;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.KlSpec;
import dev.rlhfmesh.proto.trainer.v1.ListCheckpointsRequest;
import dev.rlhfmesh.proto.trainer.v1.OptimizerSpec;
import dev.rlhfmesh.proto.trainer.v1.PpoSpec;
import dev.rlhfmesh.proto.trainer.v1.SftSpec;
import dev.rlhfmesh.proto.trainer.v1.StartJobRequest;
import dev.rlhfmesh.proto.trainer.v1.WatchJobRequest;
import dev.rlhfmesh.reliability.GrpcBadInputs.Call;
import dev.rlhfmesh.reliability.GrpcBadInputs.Row;
import dev.rlhfmesh.reliability.GrpcBadInputs.Target;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Bad-input rows of trainer-svc (see {@link GrpcBadInputs}). A StartJob row names the field it
 * breaks and also fails when the error names another field: every spec here is refused by
 * validation, and a check that let a bad value through would otherwise be hidden by a later one
 * (the training file of these specs does not exist, which is refused last).
 */
final class TrainerBadInputs {
  private static final String MISSING = "/nonexistent/reliability/sft.jsonl";

  private TrainerBadInputs() {}

  static JobSpec sft(UnaryOperator<SftSpec.Builder> f) {
    SftSpec.Builder b =
        SftSpec.newBuilder()
            .setTrainData(MISSING)
            .setSteps(10)
            .setBatchSize(4)
            .setOptimizer(OptimizerSpec.newBuilder().setLearningRate(1e-3));
    return JobSpec.newBuilder().setName("bad").setSeed(1).setSft(f.apply(b)).build();
  }

  static JobSpec ppo(UnaryOperator<PpoSpec.Builder> f) {
    PpoSpec.Builder b =
        PpoSpec.newBuilder()
            .setPolicyModelDir("/nonexistent/reliability/policy")
            .setReward("exact-answer")
            .setPromptData("/nonexistent/reliability/prompts.jsonl")
            .setIterations(2)
            .setPromptsPerIteration(4)
            .setSampling(SamplingParams.newBuilder().setN(2).setMaxNewTokens(4))
            .setKl(KlSpec.newBuilder().setBeta(0.05))
            .setClipRange(0.2)
            .setPpoEpochs(1)
            .setMinibatchSize(4)
            .setOptimizer(OptimizerSpec.newBuilder().setLearningRate(1e-3));
    return JobSpec.newBuilder().setName("bad").setSeed(1).setPpo(f.apply(b)).build();
  }

  /** StartJob of {@code spec}; an error that does not name {@code field} fails the row. */
  static Call start(String field, JobSpec spec) {
    return s -> {
      try {
        s.trainer().startJob(StartJobRequest.newBuilder().setSpec(spec).build());
      } catch (StatusRuntimeException e) {
        String d = String.valueOf(e.getStatus().getDescription());
        if (!d.contains(field)) {
          throw Status.UNKNOWN
              .withDescription("the error does not name " + field + ": " + e.getStatus())
              .asRuntimeException();
        }
        throw e;
      }
    };
  }

  static void trainer(List<Row> r) {
    Target t = Target.TRAINER;
    String sj = "StartJob";
    r.add(
        new Row(
            t,
            sj,
            "no spec",
            INVALID_ARGUMENT,
            s -> s.trainer().startJob(StartJobRequest.getDefaultInstance())));
    r.add(
        new Row(
            t,
            sj,
            "no stage",
            INVALID_ARGUMENT,
            start("spec.stage", JobSpec.newBuilder().setName("x").build())));
    r.add(
        new Row(
            t,
            sj,
            "negative checkpoint_every",
            INVALID_ARGUMENT,
            start(
                "spec.checkpoint_every", sft(b -> b).toBuilder().setCheckpointEvery(-1).build())));
    r.add(
        new Row(
            t,
            sj,
            "sft steps 0",
            INVALID_ARGUMENT,
            start("spec.sft.steps", sft(b -> b.setSteps(0)))));
    r.add(
        new Row(
            t,
            sj,
            "sft negative batch_size",
            INVALID_ARGUMENT,
            start("spec.sft.batch_size", sft(b -> b.setBatchSize(-4)))));
    r.add(
        new Row(
            t,
            sj,
            "sft eval_fraction NaN",
            INVALID_ARGUMENT,
            start("spec.sft.eval_fraction", sft(b -> b.setEvalFraction(Double.NaN)))));
    r.add(
        new Row(
            t,
            sj,
            "sft learning_rate +Inf",
            INVALID_ARGUMENT,
            start(
                "spec.sft.optimizer.learning_rate",
                sft(
                    b ->
                        b.setOptimizer(
                            OptimizerSpec.newBuilder()
                                .setLearningRate(Double.POSITIVE_INFINITY))))));
    r.add(
        new Row(
            t,
            sj,
            "sft train_data missing on the trainer",
            INVALID_ARGUMENT,
            start("spec.sft.train_data", sft(b -> b))));
    r.add(
        new Row(
            t,
            sj,
            "ppo clip_range 0",
            INVALID_ARGUMENT,
            start("spec.ppo.clip_range", ppo(b -> b.setClipRange(0)))));
    r.add(
        new Row(
            t,
            sj,
            "ppo negative max_policy_lag",
            INVALID_ARGUMENT,
            start("spec.ppo.max_policy_lag", ppo(b -> b.setMaxPolicyLag(-1)))));
    r.add(
        new Row(
            t,
            sj,
            "ppo unknown estimator",
            INVALID_ARGUMENT,
            start("spec.ppo.estimator", ppo(b -> b.setEstimatorValue(99)))));
    r.add(
        new Row(
            t,
            sj,
            "ppo sampling n 1025",
            INVALID_ARGUMENT,
            start(
                "spec.ppo.sampling.n",
                ppo(b -> b.setSampling(b.getSampling().toBuilder().setN(1025))))));
    r.add(
        new Row(
            t,
            sj,
            "ppo sampling top_p NaN",
            INVALID_ARGUMENT,
            start(
                "spec.ppo.sampling.top_p",
                ppo(b -> b.setSampling(b.getSampling().toBuilder().setTopP(Float.NaN))))));
    r.add(
        new Row(
            t,
            sj,
            "ppo prompt_data missing on the trainer",
            INVALID_ARGUMENT,
            start("spec.ppo.prompt_data", ppo(b -> b))));
    r.add(
        new Row(
            t,
            sj,
            "message over 64 MiB",
            RESOURCE_EXHAUSTED,
            s ->
                s.trainer()
                    .startJob(
                        StartJobRequest.newBuilder()
                            .setSpec(
                                sft(b -> b).toBuilder()
                                    .setName(text(GrpcBadInputs.OVER_SERVICE_LIMIT)))
                            .build())));
    r.add(
        new Row(
            t,
            "GetJob",
            "no job_id",
            INVALID_ARGUMENT,
            s -> s.trainer().getJob(GetJobRequest.getDefaultInstance())));
    r.add(
        new Row(
            t,
            "GetJob",
            "unknown job",
            NOT_FOUND,
            s -> s.trainer().getJob(GetJobRequest.newBuilder().setJobId("job-nosuch").build())));
    r.add(
        new Row(
            t,
            "WatchJob",
            "unknown job",
            NOT_FOUND,
            s ->
                s.trainer()
                    .watchJob(WatchJobRequest.newBuilder().setJobId("job-nosuch").build())
                    .hasNext()));
    r.add(
        new Row(
            t,
            "WatchJob",
            "negative from_step",
            INVALID_ARGUMENT,
            s ->
                s.trainer()
                    .watchJob(
                        WatchJobRequest.newBuilder().setJobId("job-nosuch").setFromStep(-1).build())
                    .hasNext()));
    r.add(
        new Row(
            t,
            "CancelJob",
            "unknown job",
            NOT_FOUND,
            s ->
                s.trainer()
                    .cancelJob(CancelJobRequest.newBuilder().setJobId("job-nosuch").build())));
    r.add(
        new Row(
            t,
            "ListCheckpoints",
            "no job_id",
            INVALID_ARGUMENT,
            s -> s.trainer().listCheckpoints(ListCheckpointsRequest.getDefaultInstance())));
    r.add(
        new Row(
            t,
            "ListCheckpoints",
            "unknown job",
            NOT_FOUND,
            s ->
                s.trainer()
                    .listCheckpoints(
                        ListCheckpointsRequest.newBuilder().setJobId("job-nosuch").build())));
  }
}
