package dev.rlhfmesh.rewardsvc.config;

import dev.rlhfmesh.rewardsvc.core.CompositeReward;
import dev.rlhfmesh.rewardsvc.core.ModelScorer;
import dev.rlhfmesh.rewardsvc.core.RewardSpec;
import dev.rlhfmesh.rewardsvc.core.RunningMoments;
import dev.rlhfmesh.rewardsvc.rules.AnswerNormaliser;
import dev.rlhfmesh.rewardsvc.rules.BannedStrings;
import dev.rlhfmesh.rewardsvc.rules.ExactMatch;
import dev.rlhfmesh.rewardsvc.rules.FormatCheck;
import dev.rlhfmesh.rewardsvc.rules.LengthReward;
import dev.rlhfmesh.rewardsvc.rules.RegexMatch;
import dev.rlhfmesh.rewardsvc.rules.RewardFunction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds the reward specs from {@code rlhf.reward.specs.<name>.*}. A misconfigured spec fails the
 * start with a message naming its key, rather than failing calls later.
 */
public final class RewardSpecFactory {
  private RewardSpecFactory() {}

  /**
   * @param models makes the batched learned model of a {@code type=model} spec
   * @return every spec by name, sorted by name
   */
  public static Map<String, RewardSpec> build(
      RewardConfig config, BiFunction<String, RewardConfig.SpecConfig, ModelScorer> models) {
    Map<String, RewardConfig.SpecConfig> all = new TreeMap<>(config.specs());
    Map<String, RewardSpec> built = new LinkedHashMap<>();
    AnswerNormaliser normaliser = new AnswerNormaliser(config.endToken());
    for (Map.Entry<String, RewardConfig.SpecConfig> e : all.entrySet()) {
      String name = e.getKey();
      RewardConfig.SpecConfig c = e.getValue();
      String type = c.type().trim().toLowerCase(Locale.ROOT);
      try {
        switch (type) {
          case "composite" -> {} // second pass: its components must exist first
          case "model" -> built.put(name, new RewardSpec.Model(name, models.apply(name, c)));
          default -> built.put(name, new RewardSpec.Rule(name, type, rule(type, c, normaliser)));
        }
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException(key(name, "") + ex.getMessage(), ex);
      }
    }
    for (Map.Entry<String, RewardConfig.SpecConfig> e : all.entrySet()) {
      if (e.getValue().type().trim().equalsIgnoreCase("composite")) {
        built.put(e.getKey(), composite(e.getKey(), e.getValue(), built));
      }
    }
    return sortedByName(built);
  }

  private static RewardFunction rule(
      String type, RewardConfig.SpecConfig c, AnswerNormaliser normaliser) {
    return switch (type) {
      case "exact-match" -> new ExactMatch(normaliser, c.matchValue(), c.missValue());
      case "regex" -> {
        String mode = c.match().trim().toLowerCase(Locale.ROOT);
        if (!mode.equals("find") && !mode.equals("full")) {
          throw new IllegalArgumentException("match must be find or full, got '" + mode + "'");
        }
        yield new RegexMatch(
            pattern(c.pattern(), "pattern"), mode.equals("full"), c.matchValue(), c.missValue());
      }
      case "length" -> {
        LengthReward.Unit unit =
            switch (c.unit().trim().toLowerCase(Locale.ROOT)) {
              case "tokens" -> LengthReward.Unit.TOKENS;
              case "chars" -> LengthReward.Unit.CHARS;
              default ->
                  throw new IllegalArgumentException(
                      "unit must be tokens or chars, got '" + c.unit() + "'");
            };
        OptionalInt target = c.target();
        if (target.isPresent() && target.getAsInt() < 0) {
          throw new IllegalArgumentException("target must be >= 0");
        }
        yield new LengthReward(unit, target, c.scale());
      }
      case "format" -> {
        if (c.format().isPresent() == c.pattern().isPresent()) {
          throw new IllegalArgumentException("set exactly one of format or pattern");
        }
        yield c.format().isPresent()
            ? FormatCheck.named(c.format().get().trim(), c.matchValue(), c.missValue())
            : FormatCheck.wholeMatch(
                pattern(c.pattern(), "pattern"), c.matchValue(), c.missValue());
      }
      case "banned" ->
          new BannedStrings(
              c.strings().orElseThrow(() -> new IllegalArgumentException("strings is required")),
              c.caseSensitive(),
              c.penalty());
      default ->
          throw new IllegalArgumentException(
              "type must be model, exact-match, regex, length, format, banned or composite, got '"
                  + type
                  + "'");
    };
  }

  private static CompositeReward composite(
      String name, RewardConfig.SpecConfig c, Map<String, RewardSpec> built) {
    List<String> entries =
        c.components()
            .orElseThrow(
                () -> new IllegalArgumentException(key(name, "components") + "is required"));
    List<CompositeReward.Part> parts = new ArrayList<>();
    for (String entry : entries) {
      String[] nw = entry.trim().split(":", 2);
      String component = nw[0].trim();
      RewardSpec spec = built.get(component);
      if (spec == null) {
        throw new IllegalArgumentException(
            key(name, "components")
                + "'"
                + component
                + "' is not a configured model or rule spec (composites cannot nest)");
      }
      float weight;
      try {
        weight = nw.length == 2 ? Float.parseFloat(nw[1].trim()) : 1f;
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException(
            key(name, "components") + "weight of '" + component + "' is not a number: " + nw[1]);
      }
      parts.add(new CompositeReward.Part(spec, weight));
    }
    try {
      return new CompositeReward(
          name,
          parts,
          boxed(c.clipMin()),
          boxed(c.clipMax()),
          c.normalise() ? new RunningMoments(c.normaliseEpsilon()) : null);
    } catch (IllegalArgumentException ex) {
      throw new IllegalArgumentException(key(name, "") + ex.getMessage(), ex);
    }
  }

  private static Optional<Float> boxed(java.util.OptionalDouble d) {
    return d.isPresent() ? Optional.of((float) d.getAsDouble()) : Optional.empty();
  }

  private static Pattern pattern(Optional<String> regex, String key) {
    String p = regex.orElseThrow(() -> new IllegalArgumentException(key + " is required"));
    try {
      return Pattern.compile(p);
    } catch (PatternSyntaxException ex) {
      throw new IllegalArgumentException(key + " is not a valid regex: " + ex.getMessage());
    }
  }

  private static String key(String spec, String field) {
    return "rlhf.reward.specs." + spec + (field.isEmpty() ? "" : "." + field) + ": ";
  }

  private static Map<String, RewardSpec> sortedByName(Map<String, RewardSpec> built) {
    return new LinkedHashMap<>(new TreeMap<>(built));
  }
}
