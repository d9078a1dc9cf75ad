package dev.rlhfmesh.trainersvc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.trainer.v1.AdvantageEstimator;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpecFilesTest {
  @TempDir Path dir;

  static final String YAML =
      """
      name: ppo-demo
      seed: 7
      checkpoint_every: 10
      ppo:
        policy_model_dir: /models/sft
        reward: gold
        prompt_data: /data/prompts.jsonl
        iterations: 80
        prompts_per_iteration: 32
        estimator: ADVANTAGE_ESTIMATOR_GRPO
        sampling: {n: 8, max_new_tokens: 4, temperature: 1.0}
        kl: {beta: 0.3}
        clip_range: 0.2
      """;

  @Test
  void yamlAndJson_readToTheSameSpec() throws Exception {
    Path y = dir.resolve("spec.yaml");
    Files.writeString(y, YAML);
    JobSpec fromYaml = SpecFiles.read(y);
    assertEquals("ppo-demo", fromYaml.getName());
    assertEquals(7, fromYaml.getSeed());
    assertEquals(AdvantageEstimator.ADVANTAGE_ESTIMATOR_GRPO, fromYaml.getPpo().getEstimator());
    assertEquals(8, fromYaml.getPpo().getSampling().getN());
    assertEquals(1.0f, fromYaml.getPpo().getSampling().getTemperature());
    Path j = dir.resolve("spec.json");
    Files.writeString(j, SpecFiles.toJson(fromYaml));
    assertEquals(fromYaml, SpecFiles.read(j));
  }

  @Test
  void unknownField_isAnErrorNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SpecFiles.fromYaml("name: x\nsteps: 3\n"));
    assertTrue(e.getMessage().contains("steps"), e.getMessage());
  }

  @Test
  void progressLine_putsKeyMetricsFirst() {
    String line =
        TrainerCli.progressLine(
            MetricsEvent.newBuilder()
                .setStep(3)
                .putValues("time_learn_ms", 12.5)
                .putValues("reward_mean", 0.25)
                .putValues("kl", 0.125)
                .build());
    assertEquals("step 3  reward_mean=0.2500 kl=0.1250 time_learn_ms=12.5000", line);
  }
}
