package dev.rlhfmesh.reliability;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.rlhfmesh.grpc.weights.TensorBytes;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.proto.common.v1.DType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Weights of a seeded GPT of the {@link Mesh}'s policy shape, as the trainer would push them. */
final class SeededWeights {
  private SeededWeights() {}

  static GptConfig config() {
    return new GptConfig(
        Mesh.VOCAB,
        Mesh.N_POSITIONS,
        Mesh.N_EMBD,
        Mesh.N_LAYER,
        Mesh.N_HEAD,
        4 * Mesh.N_EMBD,
        1e-5f,
        "gelu",
        -1,
        -1);
  }

  static List<TensorBytes> of(long seed) {
    try (NDManager m = NDManager.newBaseManager();
        Gpt gpt = Gpt.init(m, config(), seed)) {
      List<TensorBytes> out = new ArrayList<>();
      for (Map.Entry<String, NDArray> e : gpt.parameters().entrySet()) {
        ByteBuffer b = e.getValue().toByteBuffer();
        byte[] data = new byte[b.remaining()];
        b.get(data);
        out.add(
            new TensorBytes(
                e.getKey(), DType.D_TYPE_FLOAT32, e.getValue().getShape().getShape(), data));
      }
      return out;
    }
  }
}
