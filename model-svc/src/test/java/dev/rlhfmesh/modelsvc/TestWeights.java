package dev.rlhfmesh.modelsvc;

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

/** Weights of a seeded GPT as wire tensors, as the trainer would push them. */
final class TestWeights {
  private TestWeights() {}

  static List<TensorBytes> seeded(GptConfig config, long seed) {
    try (NDManager m = NDManager.newBaseManager();
        Gpt gpt = Gpt.init(m, config, seed)) {
      return of(gpt.parameters());
    }
  }

  static List<TensorBytes> of(Map<String, NDArray> params) {
    List<TensorBytes> out = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
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
