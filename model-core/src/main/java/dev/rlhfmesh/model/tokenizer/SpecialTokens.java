package dev.rlhfmesh.model.tokenizer;

import java.util.List;

/**
 * The special tokens every tokenizer trained here reserves, in id order right after the 256 byte
 * tokens: {@code <|endoftext|>} = 256, then the chat role markers {@code <|system|>} = 257, {@code
 * <|user|>} = 258, {@code <|assistant|>} = 259 and {@code <|end|>} = 260. Extra special tokens
 * asked for at training time follow (261...), then the merged tokens.
 */
public final class SpecialTokens {
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String SYSTEM = "<|system|>";
  public static final String USER = "<|user|>";
  public static final String ASSISTANT = "<|assistant|>";
  public static final String END_OF_MESSAGE = "<|end|>";

  /** The reserved tokens in id order (first id 256). */
  public static final List<String> DEFAULTS =
      List.of(END_OF_TEXT, SYSTEM, USER, ASSISTANT, END_OF_MESSAGE);

  /** Id of the first special token in a tokenizer trained here. */
  public static final int FIRST_ID = 256;

  private SpecialTokens() {}
}
