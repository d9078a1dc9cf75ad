package dev.rlhfmesh.modelsvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.errors.Validation;
import dev.rlhfmesh.model.sampling.SamplingParams;
import dev.rlhfmesh.modelsvc.serving.FinishReason;
import dev.rlhfmesh.modelsvc.serving.SamplingSpec;
import dev.rlhfmesh.modelsvc.serving.ServedModel;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** Proto → domain for generate and score requests, with validation naming field and value. */
final class GenerateRequests {
  static final int DEFAULT_MAX_NEW_TOKENS = 16;
  static final double MAX_TEMPERATURE = 100;

  private GenerateRequests() {}

  /** Prompts: non-empty list, each non-empty, ids in the vocabulary, room for one new token. */
  static List<int[]> prompts(List<TokenIds> prompts, ServedModel model) {
    Validation.requireNonEmpty("prompts", prompts);
    int limit = model.config().nPositions() - 1;
    List<int[]> out = new ArrayList<>(prompts.size());
    for (int i = 0; i < prompts.size(); i++) {
      out.add(ids("prompts[" + i + "].ids", prompts.get(i), model, limit));
    }
    return out;
  }

  /** Token ids of one sequence: non-empty, at most {@code limit}, every id in the vocabulary. */
  static int[] ids(String field, TokenIds t, ServedModel model, int limit) {
    int[] ids = t.getIdsList().stream().mapToInt(Integer::intValue).toArray();
    if (ids.length == 0) {
      throw ServiceException.invalidArgument(field, "[]", "must not be empty");
    }
    if (ids.length > limit) {
      throw ServiceException.invalidArgument(
          field,
          ids.length + " tokens",
          "longer than the " + limit + " the context of model '" + model.name() + "' allows");
    }
    Validation.requireTokenIds(field, ids, model.config().vocabSize());
    return ids;
  }

  static SamplingSpec sampling(
      dev.rlhfmesh.proto.common.v1.SamplingParams p, ServedModel model, int maxSamples) {
    double temperature = p.hasTemperature() ? p.getTemperature() : 1.0;
    if (!Double.isFinite(temperature)) {
      throw ServiceException.invalidArgument("sampling.temperature", temperature, "must be finite");
    }
    Validation.requireInRange("sampling.temperature", temperature, 0, MAX_TEMPERATURE);
    Validation.requireInRange("sampling.top_k", p.getTopK(), 0, Integer.MAX_VALUE);
    double topP = p.hasTopP() ? p.getTopP() : 1.0;
    if (!(topP > 0 && topP <= 1)) {
      throw ServiceException.invalidArgument("sampling.top_p", topP, "must be in (0, 1]");
    }
    int maxNew = p.getMaxNewTokens() == 0 ? DEFAULT_MAX_NEW_TOKENS : p.getMaxNewTokens();
    Validation.requireInRange(
        "sampling.max_new_tokens", maxNew, 1, model.config().nPositions() - 1);
    int n = p.getN() == 0 ? 1 : p.getN();
    Validation.requireInRange("sampling.n", n, 1, maxSamples);
    Set<Integer> stopIds = new HashSet<>();
    int vocab = model.config().vocabSize();
    for (int i = 0; i < p.getStopTokenIdsCount(); i++) {
      int id = p.getStopTokenIds(i);
      if (id < 0 || id >= vocab) {
        throw ServiceException.invalidArgument(
            "sampling.stop_token_ids[" + i + "]", id, "token id must be in [0, " + vocab + ")");
      }
      stopIds.add(id);
    }
    for (int i = 0; i < p.getStopStringsCount(); i++) {
      if (p.getStopStrings(i).isEmpty()) {
        throw ServiceException.invalidArgument(
            "sampling.stop_strings[" + i + "]", "", "must not be empty");
      }
    }
    if (p.getStopStringsCount() > 0 && !model.hasTokenizer()) {
      throw ServiceException.invalidArgument(
          "sampling.stop_strings",
          p.getStopStringsList().toString(),
          "model-svc has no tokenizer configured (rlhf.model.tokenizer-path)");
    }
    long seed = p.hasSeed() ? p.getSeed() : ThreadLocalRandom.current().nextLong();
    return new SamplingSpec(
        new SamplingParams(temperature, p.getTopK(), topP, seed),
        maxNew,
        n,
        stopIds,
        p.getStopStringsList(),
        p.getReturnLogprobs(),
        p.getIgnoreEos());
  }

  static dev.rlhfmesh.proto.model.v1.FinishReason toProto(FinishReason r) {
    if (r == null) {
      return dev.rlhfmesh.proto.model.v1.FinishReason.FINISH_REASON_UNSPECIFIED;
    }
    return switch (r) {
      case LENGTH -> dev.rlhfmesh.proto.model.v1.FinishReason.FINISH_REASON_LENGTH;
      case STOP -> dev.rlhfmesh.proto.model.v1.FinishReason.FINISH_REASON_STOP;
      case EOS -> dev.rlhfmesh.proto.model.v1.FinishReason.FINISH_REASON_EOS;
      case CANCELLED -> dev.rlhfmesh.proto.model.v1.FinishReason.FINISH_REASON_CANCELLED;
    };
  }
}
