package dev.rlhfmesh.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rlhfmesh.model.GptConfig;
import org.junit.jupiter.api.Test;

class LearnStepFlopsTest {
  @Test
  void forward_oneLayerByHand() {
    // C 4, I 16, V 10, one layer, L 2: QKV 2·2·4·12 = 192, attention 4·4·4 = 64, proj 2·2·4·4 = 64,
    // MLP 4·2·4·16 = 512, head 2·2·4·10 = 160 → 992 per sequence.
    GptConfig c = new GptConfig(10, 8, 4, 1, 2, 16, 1e-5f, "gelu", -1, -1);
    assertEquals(992.0, LearnStepFlops.forward(c, 1, 2));
    assertEquals(3 * 992.0, LearnStepFlops.forward(c, 3, 2));
  }

  @Test
  void ppoLearnStep_isOneForwardPlusThreeForwardsPerEpoch() {
    GptConfig c = GptConfig.smallDefault(256);
    double f = LearnStepFlops.forward(c, 256, 9);
    assertEquals(f * 13, LearnStepFlops.ppoLearnStep(c, 256, 9, 4), 1e-6 * f);
  }
}
