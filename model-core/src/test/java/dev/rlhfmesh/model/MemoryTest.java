package dev.rlhfmesh.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.model.generate.DecodeEngine;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.model.sampling.Sampler;
import org.junit.jupiter.api.Test;

class MemoryTest {
  private static int arrays(NDManager m) {
    return ((BaseNDManager) m).getManagedArrays().size();
  }

  @Test
  void thousandDecodeSteps_leaveNDArrayCountFlat() {
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, TinyModels.tiny(), 21);
        DecodeEngine engine = new DecodeEngine(model, 2, 48)) {
      int[] slots = {engine.allocate(), engine.allocate()};
      int[] last = {1, 2};
      int before = -1;
      for (int step = 0; step < 1000; step++) {
        if (step % 40 == 0) { // restart both sequences before they fill the cache
          for (int s : slots) {
            engine.cache().reset(s);
          }
          engine.prefill(new int[] {slots[0]}, java.util.List.of(new int[] {3, 4, 5}));
          engine.prefill(new int[] {slots[1]}, java.util.List.of(new int[] {6}));
        }
        float[][] logits = engine.decodeStep(slots, last);
        last = new int[] {Sampler.argmax(logits[0]), Sampler.argmax(logits[1])};
        if (step == 50) {
          before = arrays(model.manager()) + arrays(root);
        }
      }
      assertEquals(before, arrays(model.manager()) + arrays(root), "arrays leaked into managers");
    }
  }
}
