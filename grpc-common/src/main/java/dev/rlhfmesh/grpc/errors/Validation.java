package dev.rlhfmesh.grpc.errors;

import java.util.Collection;

/**
 * Checks of request fields that throw {@link ServiceException#invalidArgument} naming the field.
 */
public final class Validation {
  private Validation() {}

  public static void requireNonEmpty(String field, Collection<?> values) {
    if (values.isEmpty()) {
      throw ServiceException.invalidArgument(field, "[]", "must not be empty");
    }
  }

  public static void requireAtMost(String field, int size, int max) {
    if (size > max) {
      throw ServiceException.invalidArgument(field, size + " items", "at most " + max + " allowed");
    }
  }

  public static void requireNonBlank(String field, String value) {
    if (value == null || value.isBlank()) {
      throw ServiceException.invalidArgument(field, value == null ? "" : value, "is required");
    }
  }

  public static void requireInRange(String field, double value, double min, double max) {
    if (!(value >= min && value <= max)) {
      throw ServiceException.invalidArgument(
          field, value, "must be in [" + fmt(min) + ", " + fmt(max) + "]");
    }
  }

  public static void requireInRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw ServiceException.invalidArgument(field, value, "must be in [" + min + ", " + max + "]");
    }
  }

  /** Every id must lie in {@code [0, vocabSize)}. */
  public static void requireTokenIds(String field, int[] ids, int vocabSize) {
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocabSize) {
        throw ServiceException.invalidArgument(
            field + "[" + i + "]", ids[i], "token id must be in [0, " + vocabSize + ")");
      }
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
