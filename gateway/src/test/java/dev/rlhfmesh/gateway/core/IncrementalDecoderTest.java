package dev.rlhfmesh.gateway.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.mutiny.Uni;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IncrementalDecoderTest {
  /** Byte-level decoding: id = byte; incomplete UTF-8 decodes to U+FFFD, as real BPE does. */
  private static Uni<List<String>> bytes(List<int[]> seqs) {
    List<String> out = new ArrayList<>();
    for (int[] s : seqs) {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int id : s) {
        b.write(id);
      }
      out.add(b.toString(StandardCharsets.UTF_8));
    }
    return Uni.createFrom().item(out);
  }

  private static List<String> feedByteByByte(String text, boolean cutLast) {
    IncrementalDecoder d = new IncrementalDecoder(IncrementalDecoderTest::bytes);
    byte[] b = text.getBytes(StandardCharsets.UTF_8);
    int n = cutLast ? b.length - 1 : b.length;
    List<String> pieces = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      pieces.add(d.push(new int[] {b[i] & 0xff}, i == n - 1).await().indefinitely());
    }
    return pieces;
  }

  @Test
  void push_emitsNothingUntilAMultiByteCharacterIsComplete() {
    // "a☃" = 61 E2 98 83: the snowman's three bytes come as three tokens.
    assertEquals(List.of("a", "", "", "\u2603"), feedByteByByte("a\u2603", false));
  }

  @Test
  void push_fourByteEmojiArrivesAsOnePiece() {
    assertEquals(List.of("", "", "", "\uD83D\uDE00", "!"), feedByteByByte("\uD83D\uDE00!", false));
  }

  @Test
  void push_lastFlushesABrokenTrailingCharacterAsReplacement() {
    // The last token ends mid-character: the final flush must not swallow it silently.
    assertEquals(List.of("x", "", "\uFFFD"), feedByteByByte("x\u2603", true));
  }

  @Test
  void push_severalIdsAtOnce() {
    IncrementalDecoder d = new IncrementalDecoder(IncrementalDecoderTest::bytes);
    assertEquals("h\u00e9", d.push(new int[] {'h', 0xC3, 0xA9}, false).await().indefinitely());
    assertEquals("", d.push(new int[] {0xC3}, false).await().indefinitely());
    assertEquals("\u00e9y", d.push(new int[] {0xA9, 'y'}, true).await().indefinitely());
    assertEquals(6, d.tokenCount());
  }
}
