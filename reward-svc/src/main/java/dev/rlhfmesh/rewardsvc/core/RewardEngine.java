package dev.rlhfmesh.rewardsvc.core;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.errors.Validation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Scores a batch of samples with a named spec: checks and prepares the samples, queues the
 * learned-model parts on their dynamic batchers, computes the rule parts meanwhile, waits for the
 * model scores (within the caller's deadline) and combines the parts.
 */
public final class RewardEngine {
  private final Map<String, RewardSpec> specs;
  private final SamplePreparation preparation;
  private final Limits limits;

  /**
   * @param specs every configured spec by name, in listing order
   */
  public RewardEngine(Map<String, RewardSpec> specs, TextCodec codec, Limits limits) {
    this.specs = specs;
    this.preparation = new SamplePreparation(codec, limits);
    this.limits = limits;
  }

  public List<RewardSpec> specs() {
    return List.copyOf(specs.values());
  }

  public ScoreResult score(String specName, List<Sample> samples, CallContext context) {
    Validation.requireNonBlank("reward", specName);
    RewardSpec spec = specs.get(specName);
    if (spec == null) {
      throw ServiceException.notFound("reward spec", specName);
    }
    Validation.requireNonEmpty("samples", samples);
    Validation.requireAtMost("samples", samples.size(), limits.maxSamples());
    List<RewardSpec> leaves = RewardSpec.leaves(spec);
    List<Sample> prepared =
        preparation.prepare(samples, SamplePreparation.Needs.of(leaves), context);
    context.check();

    int n = prepared.size();
    List<CompletableFuture<List<ModelScorer.Scored>>> pending = new ArrayList<>();
    List<int[]> sequences = null;
    for (RewardSpec leaf : leaves) {
      if (leaf instanceof RewardSpec.Model m) {
        if (sequences == null) {
          sequences = prepared.stream().map(Sample::sequence).toList();
        }
        pending.add(m.scorer().submit(sequences, context));
      } else {
        pending.add(null);
      }
    }
    float[][] values = new float[leaves.size()][];
    for (int k = 0; k < leaves.size(); k++) {
      if (leaves.get(k) instanceof RewardSpec.Rule r) {
        values[k] = new float[n];
        for (int i = 0; i < n; i++) {
          values[k][i] = r.function().score(prepared.get(i));
        }
      }
    }
    long version = 0;
    for (int k = 0; k < leaves.size(); k++) {
      if (pending.get(k) != null) {
        List<ModelScorer.Scored> scored = await(pending.get(k), context);
        values[k] = new float[n];
        for (int i = 0; i < n; i++) {
          values[k][i] = scored.get(i).score();
          version = Math.max(version, scored.get(i).version());
        }
      }
    }
    return combine(spec, leaves, values, version);
  }

  private static ScoreResult combine(
      RewardSpec spec, List<RewardSpec> leaves, float[][] values, long version) {
    int n = values[0].length;
    float[] rewards;
    float[] raw;
    float[] weights = new float[leaves.size()];
    if (spec instanceof CompositeReward c) {
      CompositeReward.Composed composed = c.compose(values);
      rewards = composed.rewards();
      raw = composed.rawTotals();
      for (int k = 0; k < weights.length; k++) {
        weights[k] = c.parts().get(k).weight();
      }
    } else {
      rewards = values[0];
      raw = values[0];
      weights[0] = 1f;
    }
    List<ScoreResult.Breakdown> breakdowns = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      List<ScoreResult.Component> parts = new ArrayList<>(leaves.size());
      for (int k = 0; k < leaves.size(); k++) {
        parts.add(new ScoreResult.Component(leaves.get(k).name(), values[k][i], weights[k]));
      }
      breakdowns.add(new ScoreResult.Breakdown(parts, raw[i]));
    }
    return new ScoreResult(rewards, breakdowns, version);
  }

  private static <T> T await(CompletableFuture<T> future, CallContext context) {
    try {
      long left = context.remainingNanos();
      if (left == Long.MAX_VALUE) {
        return future.get();
      }
      return future.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw ServiceException.deadlineExceeded("deadline passed while waiting for the reward model");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ServiceException.cancelled("interrupted while waiting for the reward model");
    } catch (CancellationException e) {
      throw ServiceException.cancelled("the call was cancelled before the reward model ran");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof CancellationException) {
        context.check();
        throw ServiceException.cancelled(cause.getMessage());
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("reward model failed", cause);
    }
  }
}
