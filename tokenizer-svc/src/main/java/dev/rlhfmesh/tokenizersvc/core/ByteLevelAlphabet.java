package dev.rlhfmesh.tokenizersvc.core;

import java.nio.charset.StandardCharsets;

/**
 * GPT-2's byte-to-unicode table: every byte value 0..255 gets a printable character, so byte-level
 * BPE symbols are ordinary strings without whitespace or control characters. Printable Latin-1
 * bytes map to themselves; the other 68 (controls, space, NBSP, soft hyphen...) map to U+0100 and
 * up, in byte order. This is the table the Hugging Face {@code ByteLevel} pre-tokenizer and decoder
 * use, so a vocabulary written with it loads there.
 */
public final class ByteLevelAlphabet {
  private static final char[] BYTE_TO_CHAR = new char[256];
  private static final int[] CHAR_TO_BYTE = new int[0x200];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable =
          (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      char c = printable ? (char) b : (char) (256 + next++);
      BYTE_TO_CHAR[b] = c;
      CHAR_TO_BYTE[c] = b;
    }
  }

  private ByteLevelAlphabet() {}

  /** The symbol of one byte (0..255). */
  public static char symbol(int unsignedByte) {
    return BYTE_TO_CHAR[unsignedByte];
  }

  /** The UTF-8 bytes of {@code text}, each written as its symbol. */
  public static String encode(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /** Inverse of {@link #encode}: symbols back to bytes, then UTF-8 decoded. */
  public static String decode(String symbols) {
    byte[] bytes = new byte[symbols.length()];
    for (int i = 0; i < symbols.length(); i++) {
      char c = symbols.charAt(i);
      int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
      if (b < 0) {
        throw new IllegalArgumentException("not a byte-level symbol: U+" + Integer.toHexString(c));
      }
      bytes[i] = (byte) b;
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
