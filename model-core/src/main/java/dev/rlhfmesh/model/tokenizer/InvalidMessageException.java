package dev.rlhfmesh.model.tokenizer;

/**
 * A conversation {@link ChatTemplate} cannot render: no messages, or a message with an unknown
 * role. It names the offending field as the gRPC contracts spell it ({@code messages}, {@code
 * messages[2].role}) so that a service can answer INVALID_ARGUMENT naming it (model-core knows
 * nothing of gRPC; tokenizer-svc and the gateway turn it into their ServiceException).
 */
public final class InvalidMessageException extends IllegalArgumentException {
  private final String field;
  private final String value;
  private final String reason;

  public InvalidMessageException(String field, String value, String reason) {
    super("field '" + field + "' = \"" + value + "\": " + reason);
    this.field = field;
    this.value = value;
    this.reason = reason;
  }

  /** The field path, e.g. {@code messages[1].role}. */
  public String field() {
    return field;
  }

  /** The offending value as given. */
  public String value() {
    return value;
  }

  /** Why it is refused, e.g. {@code must be one of system, user, assistant}. */
  public String reason() {
    return reason;
  }
}
