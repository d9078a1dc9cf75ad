package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import java.util.Set;

/**
 * Validates a {@link GenerationRequest} against the gateway's limits before anything goes
 * downstream, and fills documented defaults. Every complaint names the field as the caller's API
 * spells it ({@link FieldNames}).
 */
final class RequestCheck {
  private static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private final GatewayConfig config;

  RequestCheck(GatewayConfig config) {
    this.config = config;
  }

  /** The model to call: the request's, or the configured default. */
  String model(GenerationRequest r) {
    return r.model() == null || r.model().isBlank() ? config.defaultModel() : r.model();
  }

  void checkPrompt(GenerationRequest r) {
    FieldNames n = r.names();
    if (r.prompt() instanceof Prompt.Text t) {
      if (t.text() == null || t.text().isEmpty()) {
        throw ServiceException.invalidArgument(n.name("prompt"), "", "must not be empty");
      }
      if (t.text().length() > config.maxPromptChars()) {
        throw ServiceException.invalidArgument(
            n.name("prompt"),
            t.text().length() + " chars",
            "at most " + config.maxPromptChars() + " characters allowed");
      }
    } else if (r.prompt() instanceof Prompt.Chat c) {
      if (c.messages().isEmpty()) {
        throw ServiceException.invalidArgument(n.name("messages"), "[]", "must not be empty");
      }
      if (c.messages().size() > config.maxMessages()) {
        throw ServiceException.invalidArgument(
            n.name("messages"),
            c.messages().size() + " items",
            "at most " + config.maxMessages() + " allowed");
      }
      long chars = 0;
      for (int i = 0; i < c.messages().size(); i++) {
        ChatMessage m = c.messages().get(i);
        if (!ROLES.contains(m.getRole())) {
          throw ServiceException.invalidArgument(
              n.name("messages") + "[" + i + "].role",
              m.getRole(),
              "must be one of system, user, assistant");
        }
        chars += m.getContent().length();
      }
      if (chars > config.maxPromptChars()) {
        throw ServiceException.invalidArgument(
            n.name("messages"),
            chars + " chars",
            "at most " + config.maxPromptChars() + " characters in all");
      }
    }
  }

  /** Sampling parameters with defaults filled in; throws on values out of range. */
  SamplingParams sampling(GenerationRequest r) {
    FieldNames n = r.names();
    SamplingParams s = r.sampling() == null ? SamplingParams.getDefaultInstance() : r.sampling();
    SamplingParams.Builder b = s.toBuilder();
    if (s.hasTemperature()) {
      range(n.name("sampling.temperature"), s.getTemperature(), 0, 2);
    }
    if (s.hasTopP()) {
      float p = s.getTopP();
      if (!(p > 0 && p <= 1)) {
        throw ServiceException.invalidArgument(n.name("sampling.top_p"), p, "must be in (0, 1]");
      }
    }
    if (s.getTopK() < 0) {
      throw ServiceException.invalidArgument(n.name("sampling.top_k"), s.getTopK(), "must be >= 0");
    }
    if (s.getMaxNewTokens() == 0) {
      b.setMaxNewTokens(config.defaultMaxTokens());
    } else {
      range(n.name("sampling.max_new_tokens"), s.getMaxNewTokens(), 1, config.maxTokens());
    }
    if (s.getN() == 0) {
      b.setN(1);
    } else {
      range(n.name("sampling.n"), s.getN(), 1, config.maxN());
    }
    if (s.getStopStringsCount() > config.maxStop()) {
      throw ServiceException.invalidArgument(
          n.name("sampling.stop_strings"),
          s.getStopStringsCount() + " items",
          "at most " + config.maxStop() + " allowed");
    }
    for (int i = 0; i < s.getStopStringsCount(); i++) {
      if (s.getStopStrings(i).isEmpty()) {
        throw ServiceException.invalidArgument(
            n.name("sampling.stop_strings") + "[" + i + "]", "", "must not be empty");
      }
    }
    return b.build();
  }

  private static void range(String field, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw ServiceException.invalidArgument(field, v, "must be in [" + min + ", " + max + "]");
    }
  }

  private static void range(String field, long v, long min, long max) {
    if (v < min || v > max) {
      throw ServiceException.invalidArgument(field, v, "must be in [" + min + ", " + max + "]");
    }
  }
}
