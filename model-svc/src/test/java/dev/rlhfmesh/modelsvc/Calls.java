package dev.rlhfmesh.modelsvc;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import java.util.List;

/** Request builders shared by the tests. */
final class Calls {
  private Calls() {}

  static TokenIds ids(int... ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int i : ids) {
      b.addIds(i);
    }
    return b.build();
  }

  static SamplingParams.Builder sampling(float temperature, long seed, int maxNew) {
    return SamplingParams.newBuilder()
        .setTemperature(temperature)
        .setSeed(seed)
        .setMaxNewTokens(maxNew)
        .setIgnoreEos(true)
        .setReturnLogprobs(true);
  }

  static GenerateRequest generate(String model, SamplingParams.Builder s, TokenIds... prompts) {
    return GenerateRequest.newBuilder()
        .setModel(model)
        .addAllPrompts(List.of(prompts))
        .setSampling(s)
        .build();
  }

  static int[] tokens(Completion c) {
    return c.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray();
  }
}
