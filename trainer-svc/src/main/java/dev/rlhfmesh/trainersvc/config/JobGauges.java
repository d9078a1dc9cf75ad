package dev.rlhfmesh.trainersvc.config;

import dev.rlhfmesh.proto.trainer.v1.JobState;
import dev.rlhfmesh.proto.trainer.v1.MetricsEvent;
import dev.rlhfmesh.trainersvc.jobs.JobListener;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every job's latest step metrics as Prometheus gauges {@code rlhf_trainer_<metric>{job="<id>"}}
 * (e.g. {@code rlhf_trainer_reward_mean}), plus {@code rlhf_trainer_step} and {@code
 * rlhf_trainer_job_state} (the JobState number).
 */
@ApplicationScoped
public class JobGauges implements JobListener {
  @Inject MeterRegistry registry;

  private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

  @Override
  public void onMetrics(String jobId, MetricsEvent event) {
    set(jobId, "step", event.getStep());
    event.getValuesMap().forEach((name, v) -> set(jobId, name, v));
  }

  @Override
  public void onState(String jobId, JobState state, String message) {
    set(jobId, "job_state", state.getNumber());
  }

  private void set(String jobId, String metric, double value) {
    String name = "rlhf.trainer." + metric.replaceAll("[^A-Za-z0-9_]", "_");
    AtomicLong bits =
        values.computeIfAbsent(
            name + "\u0000" + jobId,
            k -> {
              AtomicLong holder = new AtomicLong(Double.doubleToLongBits(Double.NaN));
              Gauge.builder(name, holder, h -> Double.longBitsToDouble(h.get()))
                  .tags(Tags.of("job", jobId))
                  .register(registry);
              return holder;
            });
    bits.set(Double.doubleToLongBits(value));
  }
}
