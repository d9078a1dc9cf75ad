package dev.rlhfmesh.trainersvc.learn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

class PaddedBatchTest {

  @Test
  void paddedBatch_placesResponseTokensAtPromptLengthMinusOnePlusJ() {
    PaddedBatch pb =
        PaddedBatch.of(
            List.of(new int[] {5, 6}, new int[] {7}),
            List.of(new int[] {1}, new int[] {8, 9, 1}),
            16);
    assertEquals(4, pb.length());
    try (NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(new long[] {5, 6, 1, 0, 7, 8, 9, 1}, pb.ids(m).toLongArray());
      assertArrayEquals(new long[] {1, 1, 1, 0, 1, 1, 1, 1}, pb.attention(m).toLongArray());
      // action t predicts token t+1: row 0's response token sits at action 1, row 1's at 0..2
      assertArrayEquals(new float[] {0, 1, 0, 1, 1, 1}, pb.actionMask(m).toFloatArray());
      float[][] vals = {{0.5f}, {1, 2, 3}};
      float[] flat = pb.actions(m, vals).toFloatArray();
      assertArrayEquals(new float[] {0, 0.5f, 0, 1, 2, 3}, flat);
      float[][] back = pb.responses(flat);
      assertArrayEquals(vals[0], back[0]);
      assertArrayEquals(vals[1], back[1]);
    }
  }

  @Test
  void paddedBatch_eosIdEqualToPadIdIsStillARealToken() {
    // token 0 used as EOS: the mask, not the id, marks the end
    PaddedBatch pb =
        PaddedBatch.of(
            List.of(new int[] {3}, new int[] {3}), List.of(new int[] {0}, new int[] {4, 4, 0}), 8);
    try (NDManager m = NDManager.newBaseManager()) {
      assertArrayEquals(new float[] {1, 0, 0, 1, 1, 1}, pb.actionMask(m).toFloatArray());
    }
  }

  @Test
  void paddedBatch_rejectsTooLongSequencesAndEmptyPrompts() {
    assertThrows(
        IllegalArgumentException.class,
        () -> PaddedBatch.of(List.of(new int[] {1, 2, 3}), List.of(new int[] {4, 5}), 4));
    assertThrows(
        IllegalArgumentException.class,
        () -> PaddedBatch.of(List.of(new int[] {}), List.of(new int[] {4}), 4));
  }
}
