package dev.rlhfmesh.k8stests;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Kubernetes label-selector semantics (matchLabels AND matchExpressions). */
final class Labels {
  private Labels() {}

  static boolean matches(Map<String, String> matchLabels, Map<String, String> labels) {
    Map<String, String> have = Objects.requireNonNullElse(labels, Map.of());
    return Objects.requireNonNullElse(matchLabels, Map.<String, String>of()).entrySet().stream()
        .allMatch(e -> e.getValue().equals(have.get(e.getKey())));
  }

  /** A null selector selects nothing; an empty one selects everything (as in NetworkPolicy). */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return false;
    }
    Map<String, String> have = Objects.requireNonNullElse(labels, Map.of());
    if (!matches(selector.getMatchLabels(), have)) {
      return false;
    }
    for (LabelSelectorRequirement r :
        Objects.requireNonNullElse(
            selector.getMatchExpressions(), List.<LabelSelectorRequirement>of())) {
      String value = have.get(r.getKey());
      List<String> values = Objects.requireNonNullElse(r.getValues(), List.of());
      boolean ok =
          switch (r.getOperator()) {
            case "In" -> value != null && values.contains(value);
            case "NotIn" -> value == null || !values.contains(value);
            case "Exists" -> have.containsKey(r.getKey());
            case "DoesNotExist" -> !have.containsKey(r.getKey());
            default -> throw new AssertionError("unknown selector operator " + r.getOperator());
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
