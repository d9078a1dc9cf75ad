package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.NativeStep;
import dev.rlhfmesh.model.sampling.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GptForwardTest {
  static NDManager root;
  static Gpt model;

  @BeforeAll
  static void setUp() {
    root = NDManager.newBaseManager();
    model = Gpt.init(root, TinyModels.tiny(), 7);
    TinyModels.perturb(model, 7); // non-zero biases, LayerNorm weights off 1
  }

  @AfterAll
  static void tearDown() {
    model.close();
    root.close();
  }

  /**
   * Runs a cached-decoding test on model-core's native step or on the DJL ops (the path GPUs take),
   * each against full recomputation.
   */
  static void useNativeStep(boolean nativeStep) {
    if (nativeStep) {
      assumeTrue(NativeStep.available(), NativeStep.describe());
    }
    NativeStep.setEnabled(nativeStep);
  }

  @AfterEach
  void restoreDefaultPath() {
    NativeStep.setEnabled(NativeStep.available());
  }

  /** Logits (V) at the last position of one unpadded sequence, full recomputation. */
  static float[] fullLastLogits(int[] seq) {
    return TinyModels.lastLogits(model, seq);
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void cachedDecoding_equalsFullRecomputationWithMixedLengthsDropsAndJoins(boolean nativeStep) {
    useNativeStep(nativeStep);
    Random r = new Random(1);
    int v = model.config().vocabSize();
    try (DecodeEngine engine = new DecodeEngine(model, 4, 48)) {
      List<int[]> seqs = new ArrayList<>(); // full token history per sequence
      List<Integer> slotOf = new ArrayList<>();
      int[] lengths = {3, 9, 5};
      for (int len : lengths) {
        seqs.add(TinyModels.randomTokens(r, len, v));
        slotOf.add(engine.allocate());
      }
      float[][] logits = engine.prefill(slotOf.stream().mapToInt(i -> i).toArray(), seqs);
      List<Integer> live = new ArrayList<>(List.of(0, 1, 2));
      float worst = 0;
      int compared = 0;
      for (int step = 0; step < 32; step++) {
        for (int k = 0; k < live.size(); k++) {
          float d = TinyModels.maxAbsDiff(logits[k], fullLastLogits(seqs.get(live.get(k))));
          worst = Math.max(worst, d);
          compared++;
        }
        if (step == 10) { // the middle row finishes: its slot is freed, the others keep theirs
          engine.free(slotOf.get(1));
          live.remove(1);
          logits = new float[][] {logits[0], logits[2]};
        }
        if (step == 15) { // a new sequence joins the freed slot (continuous batching)
          seqs.add(TinyModels.randomTokens(r, 4, v));
          slotOf.add(engine.allocate());
          assertEquals(slotOf.get(1), slotOf.get(3), "freed slot reused");
          float[] first = engine.prefill(slotOf.get(3), seqs.get(3));
          live.add(3);
          logits = new float[][] {logits[0], logits[1], first};
        }
        if (step == 20) { // rows in another order than their slots
          java.util.Collections.reverse(live);
          float[][] rev = logits.clone();
          java.util.Collections.reverse(Arrays.asList(rev));
          logits = rev;
        }
        int[] stepSlots = new int[live.size()];
        int[] next = new int[live.size()];
        for (int k = 0; k < live.size(); k++) {
          int i = live.get(k);
          stepSlots[k] = slotOf.get(i);
          next[k] = (Sampler.argmax(logits[k]) + step) % v; // vary the tokens a little
          int[] s = seqs.get(i);
          int[] grown = Arrays.copyOf(s, s.length + 1);
          grown[s.length] = next[k];
          seqs.set(i, grown);
        }
        logits = engine.decodeStep(stepSlots, next);
      }
      assertTrue(compared > 90);
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void mixedPasses_decodeRowsAndAppendedChunksTogether_equalFullRecomputation(boolean nativeStep) {
    useNativeStep(nativeStep);
    // one pass holds rows appending one token and rows appending several, in shuffled order,
    // around a free slot: the continuous batcher's step when prompts join running sequences
    Random r = new Random(5);
    try (DecodeEngine engine = new DecodeEngine(model, 6, 48)) {
      int[] slots = new int[6];
      for (int i = 0; i < 6; i++) {
        slots[i] = engine.allocate();
      }
      engine.free(slots[2]); // a hole inside the slot range
      List<Integer> live = new ArrayList<>(List.of(0, 1, 3, 4, 5));
      List<int[]> seqs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        seqs.add(new int[0]);
      }
      float worst = 0;
      int compared = 0;
      int chunks = 0;
      for (int round = 0; round < 8; round++) {
        java.util.Collections.shuffle(live, r);
        int[] passSlots = new int[live.size()];
        int[][] tokens = new int[live.size()][];
        for (int k = 0; k < live.size(); k++) {
          int i = live.get(k);
          boolean chunk = seqs.get(i).length == 0 || r.nextInt(3) == 0;
          int n = chunk ? 2 + r.nextInt(4) : 1;
          chunks += n > 1 ? 1 : 0;
          tokens[k] = TinyModels.randomTokens(r, n, 37);
          passSlots[k] = slots[i];
          int[] s = seqs.get(i);
          int[] grown = Arrays.copyOf(s, s.length + n);
          System.arraycopy(tokens[k], 0, grown, s.length, n);
          seqs.set(i, grown);
        }
        float[][] logits = engine.append(passSlots, tokens);
        for (int k = 0; k < live.size(); k++) {
          float d = TinyModels.maxAbsDiff(logits[k], fullLastLogits(seqs.get(live.get(k))));
          worst = Math.max(worst, d);
          compared++;
        }
      }
      assertEquals(40, compared);
      assertTrue(chunks > 10, "chunks appended: " + chunks);
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void stepsOverChangingSlotRanges_equalFullRecomputation(boolean nativeStep) {
    useNativeStep(nativeStep);
    // the cache keeps views of the slot range [0, hi) a step reads; steps that grow and shrink
    // that range (as sequences leave and join a continuous batch) must drop and remake them
    Random r = new Random(6);
    try (DecodeEngine engine = new DecodeEngine(model, 5, 48)) {
      int[] slots = new int[4];
      List<int[]> seqs = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        slots[i] = engine.allocate();
        seqs.add(TinyModels.randomTokens(r, 3 + i, 37));
      }
      float[][] logits = engine.prefill(slots, seqs);
      float[][] last = logits;
      int[][] ranges = {{0, 1, 2, 3}, {0, 1}, {0, 1, 2}, {0}, {0, 1, 2, 3}, {0, 1}, {0, 1, 2, 3}};
      float worst = 0;
      for (int[] rows : ranges) {
        int[] stepSlots = new int[rows.length];
        int[] next = new int[rows.length];
        for (int k = 0; k < rows.length; k++) {
          int i = rows[k];
          stepSlots[k] = slots[i];
          next[k] = Sampler.argmax(last[i]);
          int[] grown = Arrays.copyOf(seqs.get(i), seqs.get(i).length + 1);
          grown[grown.length - 1] = next[k];
          seqs.set(i, grown);
        }
        float[][] out = engine.decodeStep(stepSlots, next);
        for (int k = 0; k < rows.length; k++) {
          last[rows[k]] = out[k];
          worst = Math.max(worst, TinyModels.maxAbsDiff(out[k], fullLastLogits(seqs.get(rows[k]))));
        }
      }
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void flatLogitsIntoAReusedBuffer_equalAFreshArray(boolean nativeStep) {
    useNativeStep(nativeStep);
    Random r = new Random(4);
    int v = model.config().vocabSize();
    try (var noGrad = dev.rlhfmesh.model.gpt.NoGrad.enter();
        NDManager m = model.manager().newSubManager();
        var fresh = new dev.rlhfmesh.model.gpt.KvCache(m, model.config(), 3, 24);
        var reused = new dev.rlhfmesh.model.gpt.KvCache(m, model.config(), 3, 24)) {
      int[] slots = {fresh.allocate(), fresh.allocate(), fresh.allocate()};
      for (int s : slots) {
        assertEquals(s, reused.allocate());
      }
      float[] buffer = new float[3 * v + 5]; // longer than a pass needs: the tail stays as it is
      Arrays.fill(buffer, Float.NaN);
      int[][] tokens = new int[3][];
      for (int i = 0; i < 3; i++) {
        tokens[i] = TinyModels.randomTokens(r, 2 + i, 37); // prompts of different lengths
      }
      for (int step = 0; step < 4; step++) {
        float[] a = model.nextLogitsFlat(m, fresh, slots, tokens);
        float[] b = model.nextLogitsFlat(m, reused, slots, tokens, buffer);
        assertTrue(b == buffer, "the buffer is the array written");
        assertTrue(Arrays.equals(a, Arrays.copyOf(b, a.length)), "step " + step);
        for (int i = a.length; i < buffer.length; i++) {
          assertTrue(Float.isNaN(buffer[i]), "the buffer's tail was written at " + i);
        }
        for (int i = 0; i < 3; i++) {
          tokens[i] = new int[] {Sampler.argmax(Arrays.copyOfRange(a, i * v, (i + 1) * v))};
        }
      }
      float[] small = new float[v]; // too short for 3 rows: a new array, the buffer untouched
      float[] c = model.nextLogitsFlat(m, reused, slots, tokens, small);
      assertTrue(c != small && c.length == 3 * v && Arrays.equals(small, new float[v]));
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void lockstepBatch_sameLengthsInConsecutiveSlots_equalsFullRecomputation(boolean nativeStep) {
    useNativeStep(nativeStep);
    Random r = new Random(3);
    try (DecodeEngine engine = new DecodeEngine(model, 3, 48)) {
      int[] slots = {engine.allocate(), engine.allocate(), engine.allocate()};
      List<int[]> seqs = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        seqs.add(TinyModels.randomTokens(r, 5, 37));
      }
      float[][] logits = engine.prefill(slots, seqs);
      float worst = 0;
      for (int step = 0; step < 8; step++) {
        int[] next = new int[3];
        for (int i = 0; i < 3; i++) {
          worst = Math.max(worst, TinyModels.maxAbsDiff(logits[i], fullLastLogits(seqs.get(i))));
          next[i] = Sampler.argmax(logits[i]);
          int[] grown = Arrays.copyOf(seqs.get(i), seqs.get(i).length + 1);
          grown[grown.length - 1] = next[i];
          seqs.set(i, grown);
        }
        logits = engine.decodeStep(slots, next);
      }
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void singleSlotSteps_equalFullRecomputation(boolean nativeStep) {
    useNativeStep(nativeStep);
    // batch-1 engine: the token is embedded as a row view, the cache's per-length views are reused
    Random r = new Random(4);
    try (DecodeEngine engine = new DecodeEngine(model, 1, 48)) {
      int slot = engine.allocate();
      int[] seq = TinyModels.randomTokens(r, 4, 37);
      float[] logits = engine.prefill(slot, seq);
      float worst = 0;
      for (int restart = 0; restart < 2; restart++) { // the second pass reuses the views
        for (int step = 0; step < 12; step++) {
          worst = Math.max(worst, TinyModels.maxAbsDiff(logits, fullLastLogits(seq)));
          int next = Sampler.argmax(logits);
          seq = Arrays.copyOf(seq, seq.length + 1);
          seq[seq.length - 1] = next;
          logits = engine.decodeStep(new int[] {slot}, new int[] {next})[0];
        }
        engine.cache().reset(slot);
        seq = TinyModels.randomTokens(r, 4, 37);
        logits = engine.prefill(slot, seq);
      }
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @Test
  void leftPaddedBatch_givesSameLogitsAsAlone() {
    Random r = new Random(2);
    int[] a = TinyModels.randomTokens(r, 6, 37);
    int[] b = TinyModels.randomTokens(r, 10, 37);
    try (NDManager m = root.newSubManager()) {
      int[] aPadded = new int[10];
      System.arraycopy(a, 0, aPadded, 4, 6);
      int[] maskA = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
      int[] maskB = new int[10];
      Arrays.fill(maskB, 1);
      NDArray logits =
          model.forward(TinyModels.ids(m, aPadded, b), TinyModels.ids(m, maskA, maskB));
      NDArray alone = model.forward(TinyModels.ids(m, a), null); // (1, 6, V)
      float[] batched = logits.get(new NDIndex("0, 4:")).toFloatArray();
      float d = TinyModels.maxAbsDiff(alone.get(new NDIndex("0")).toFloatArray(), batched);
      assertTrue(d < 1e-5, "left padding changed logits by " + d);
      float[] bAlone = model.forward(TinyModels.ids(m, b), null).toFloatArray();
      float d2 = TinyModels.maxAbsDiff(bAlone, logits.get(new NDIndex("1")).toFloatArray());
      assertTrue(d2 < 1e-5, "batching changed logits by " + d2);
    }
  }

  @Test
  void futureTokens_doNotChangeEarlierLogits() {
    int[] x = {1, 2, 3, 4, 5, 6};
    int[] y = {1, 2, 3, 9, 9, 9};
    try (NDManager m = root.newSubManager()) {
      NDArray lx = model.forward(TinyModels.ids(m, x), null).get(new NDIndex("0, :3"));
      NDArray ly = model.forward(TinyModels.ids(m, y), null).get(new NDIndex("0, :3"));
      assertEquals(0f, TinyModels.maxAbsDiff(lx.toFloatArray(), ly.toFloatArray()), 1e-6);
      NDArray lx4 = model.forward(TinyModels.ids(m, x), null).get(new NDIndex("0, 3"));
      NDArray ly4 = model.forward(TinyModels.ids(m, y), null).get(new NDIndex("0, 3"));
      assertTrue(TinyModels.maxAbsDiff(lx4.toFloatArray(), ly4.toFloatArray()) > 1e-4);
    }
  }
}
