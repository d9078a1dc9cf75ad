package dev.rlhfmesh.model.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A chat template in tokenizer-svc's simple syntax ({@value #SYNTAX}), not Jinja.
 *
 * <p>The template text is split at the marker {@code {generation}}: the part before it is rendered
 * once per message, in order; the part after it is appended when a generation prompt is asked for.
 * Placeholders: {@code {role}} (the message role: system, user or assistant), {@code {content}}
 * (the message text, inserted verbatim), {@code {bos}} and {@code {eos}} (the tokenizer's bos/eos
 * token text, empty if it has none). Any other text, including other braces, is literal. The
 * default renders {@code <|user|>\nHi<|end|>\n} per message and {@code <|assistant|>\n} as
 * generation prompt, using the role markers reserved by {@link SpecialTokens}.
 */
public final class ChatTemplate {
  public static final String SYNTAX = "rlhf-simple-v1";
  public static final String DEFAULT = "<|{role}|>\n{content}<|end|>\n{generation}<|assistant|>\n";
  public static final Set<String> ROLES = Set.of("system", "user", "assistant");

  private static final String GENERATION = "{generation}";
  private static final List<String> PLACEHOLDERS = List.of("{role}", "{content}", "{bos}", "{eos}");

  /** One message. */
  public record Message(String role, String content) {}

  private final String source;
  private final List<String> perMessage;
  private final List<String> generationPrompt;

  private ChatTemplate(String source) {
    this.source = source;
    int split = source.indexOf(GENERATION);
    String message = split < 0 ? source : source.substring(0, split);
    String generation = split < 0 ? "" : source.substring(split + GENERATION.length());
    if (!message.contains("{content}")) {
      throw new IllegalArgumentException("a chat template must contain {content}: " + source);
    }
    if (generation.contains(GENERATION)) {
      throw new IllegalArgumentException("{generation} may appear once: " + source);
    }
    this.perMessage = segments(message);
    this.generationPrompt = segments(generation);
  }

  /** Parses a template; IllegalArgumentException if it is not in this syntax. */
  public static ChatTemplate parse(String source) {
    return new ChatTemplate(source);
  }

  public static ChatTemplate defaultTemplate() {
    return new ChatTemplate(DEFAULT);
  }

  /** True when {@code text} looks like a Jinja template (which this service does not run). */
  public static boolean looksLikeJinja(String text) {
    return text.contains("{%") || text.contains("{{");
  }

  /** The template text as configured. */
  public String source() {
    return source;
  }

  /**
   * Renders a conversation.
   *
   * @throws InvalidMessageException naming {@code messages} or {@code messages[i].role}
   */
  public String render(
      List<Message> messages, boolean addGenerationPrompt, String bos, String eos) {
    if (messages.isEmpty()) {
      throw new InvalidMessageException("messages", "[]", "must not be empty");
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < messages.size(); i++) {
      Message m = messages.get(i);
      if (!ROLES.contains(m.role())) {
        throw new InvalidMessageException(
            "messages[" + i + "].role", m.role(), "must be one of system, user, assistant");
      }
      append(out, perMessage, m.role(), m.content(), bos, eos);
    }
    if (addGenerationPrompt) {
      append(out, generationPrompt, "assistant", "", bos, eos);
    }
    return out.toString();
  }

  private static void append(
      StringBuilder out,
      List<String> segments,
      String role,
      String content,
      String bos,
      String eos) {
    for (String s : segments) {
      switch (s) {
        case "{role}" -> out.append(role);
        case "{content}" -> out.append(content);
        case "{bos}" -> out.append(bos);
        case "{eos}" -> out.append(eos);
        default -> out.append(s);
      }
    }
  }

  /** Splits text into literal runs and placeholders, once, so content is never re-scanned. */
  private static List<String> segments(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    while (i < text.length()) {
      String hit = null;
      for (String p : PLACEHOLDERS) {
        if (text.startsWith(p, i)) {
          hit = p;
          break;
        }
      }
      if (hit == null) {
        i++;
        continue;
      }
      if (i > start) {
        out.add(text.substring(start, i));
      }
      out.add(hit);
      i += hit.length();
      start = i;
    }
    if (start < text.length()) {
      out.add(text.substring(start));
    }
    return out;
  }
}
