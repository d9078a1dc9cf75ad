package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.gpt.NativeStep;
import java.io.File;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * model-core's native step (src/main/c/cached_step.c, cached_attention.c). GptForwardTest runs
 * every cached-decoding check on it and on the DJL ops; these cover what is particular to the
 * kernel.
 */
class NativeStepTest {
  @AfterEach
  void restoreDefaultPath() {
    NativeStep.setEnabled(NativeStep.available());
  }

  @Test
  void isBuiltAndLoadedWhereTheBuildHasACCompiler() {
    // the build skips the library without a compiler; with one, a missing library is a bug
    boolean linuxX64 =
        System.getProperty("os.name").equals("Linux")
            && System.getProperty("os.arch").equals("amd64");
    boolean compiler = onPath("cc") || onPath("gcc");
    assumeTrue(linuxX64 && compiler, "no C compiler or not Linux x86_64: the kernel is optional");
    assertTrue(NativeStep.available(), NativeStep.describe());
    assertTrue(NativeStep.enabled(), NativeStep.describe());
    // and it binds (libtorch's MKL functions found) and runs: a pass is counted
    long before = NativeStep.passes();
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, TinyModels.tiny(), 1);
        DecodeEngine engine = new DecodeEngine(model, 1, 8)) {
      engine.prefill(engine.allocate(), new int[] {1, 2, 3});
    }
    assertEquals(before + 1, NativeStep.passes(), "the pass did not run natively");
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Head sizes around the kernel's vector widths (3: the scalar loop, 24, 32 and 64: three, four
   * and eight 8-float vectors; 32 is the small default's, 64 GPT-2's) against full recomputation,
   * with prompts joining decode rows in one pass.
   */
  @ParameterizedTest(name = "head size {0}")
  @ValueSource(ints = {3, 24, 32, 64})
  void headSizes_equalFullRecomputation(int headDim) {
    assumeTrue(NativeStep.available(), NativeStep.describe());
    NativeStep.setEnabled(true);
    GptConfig c = new GptConfig(41, 40, 2 * headDim, 2, 2, 4 * headDim, 1e-5f, "gelu", -1, -1);
    Random r = new Random(headDim);
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, c, 11);
        DecodeEngine engine = new DecodeEngine(model, 4, 40)) {
      TinyModels.perturb(model, headDim);
      int[][] seqs = new int[4][0];
      int[] slots = new int[4];
      for (int i = 0; i < 4; i++) {
        slots[i] = engine.allocate();
      }
      float worst = 0;
      for (int round = 0; round < 12; round++) {
        int[][] tokens = new int[4][];
        for (int i = 0; i < 4; i++) { // row i joins at round i, then decodes
          tokens[i] = TinyModels.randomTokens(r, round == i ? 2 + 3 * i : 1, c.vocabSize());
        }
        int live = Math.min(round + 1, 4);
        int[] passSlots = Arrays.copyOf(slots, live);
        int[][] passTokens = Arrays.copyOf(tokens, live);
        float[][] logits = engine.append(passSlots, passTokens);
        for (int i = 0; i < live; i++) {
          int[] grown = Arrays.copyOf(seqs[i], seqs[i].length + tokens[i].length);
          System.arraycopy(tokens[i], 0, grown, seqs[i].length, tokens[i].length);
          seqs[i] = grown;
          worst =
              Math.max(
                  worst, TinyModels.maxAbsDiff(logits[i], TinyModels.lastLogits(model, grown)));
        }
      }
      assertTrue(worst < 1e-5, "max |cached - full| = " + worst);
    }
  }

  @ParameterizedTest(name = "native step: {0}")
  @ValueSource(booleans = {true, false})
  void rejectedPass_leavesTheCacheAsItWas(boolean nativeStep) {
    GptForwardTest.useNativeStep(nativeStep);
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, TinyModels.tiny(), 3);
        DecodeEngine engine = new DecodeEngine(model, 3, 8)) {
      int a = engine.allocate();
      int b = engine.allocate();
      engine.prefill(new int[] {a, b}, java.util.List.of(new int[] {1, 2, 3}, new int[] {4}));
      var twice =
          assertThrows(
              IllegalArgumentException.class,
              () -> engine.append(new int[] {a, a}, new int[][] {{5}, {6, 7}}));
      assertTrue(twice.getMessage().contains("slot " + a), twice.getMessage());
      var free =
          assertThrows(
              IllegalArgumentException.class,
              () -> engine.decodeStep(new int[] {a, 2}, new int[] {5, 6}));
      assertTrue(free.getMessage().contains("slot 2"), free.getMessage());
      var full =
          assertThrows(
              IllegalArgumentException.class,
              () -> engine.append(new int[] {b, a}, new int[][] {{5}, {1, 2, 3, 4, 5, 6}}));
      assertTrue(full.getMessage().contains("cache maxLen 8"), full.getMessage());
      var vocab =
          assertThrows(
              IllegalArgumentException.class,
              () -> engine.decodeStep(new int[] {a, b}, new int[] {5, 37}));
      assertTrue(vocab.getMessage().contains("token id 37"), vocab.getMessage());
      assertEquals(3, engine.length(a));
      assertEquals(1, engine.length(b));
      // and the cache still decodes as if nothing had happened
      float[] next = engine.decodeStep(new int[] {a}, new int[] {9})[0];
      float[] want = TinyModels.lastLogits(model, new int[] {1, 2, 3, 9});
      assertTrue(TinyModels.maxAbsDiff(next, want) < 1e-5);
    }
  }
}
