package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Single native calls for the decode hot path, where DJL's generic forms cost several. {@code
 * NDArray.get(NDIndex)} is an index call plus a shape query plus a squeeze (a reshape) plus a free;
 * {@code set(NDIndex, value)} adds a reshape and a broadcast of the value; here a view is one
 * {@code narrow} and a write is one {@code index_put_}. Measured on the small default: about 3–5 µs
 * of CPU each through DJL's forms, 1 µs for a slice.
 *
 * <p>PyTorch engine only (model-core runs on it). Results of {@link #slice} are views: they share
 * the storage of their source, and are attached to {@code owner} so that views of long-lived
 * tensors (cache, weights) are freed with the step.
 */
final class TorchOps {
  private TorchOps() {}

  /** {@code a.narrow(dim, start, end - start)}: a view, owned by {@code owner}. */
  static NDArray slice(NDArray a, int dim, long start, long end, NDManager owner) {
    NDArray v = JniUtils.slice((PtNDArray) a, dim, start, end, 1);
    if (v.getManager() != owner) {
      v.attach(owner);
    }
    return v;
  }

  /** Splits {@code a} along {@code dim} into pieces of the given sizes: views, in a's manager. */
  static NDList split(NDArray a, long[] sizes, int dim) {
    return JniUtils.split((PtNDArray) a, sizes, dim);
  }

  /** {@code a.transpose(d1, d2)}: a view in a's manager. */
  static NDArray swap(NDArray a, int d1, int d2) {
    return JniUtils.transpose((PtNDArray) a, d1, d2);
  }

  /** {@code a[index]} for an index of tensor parts (a gather, a copy), owned by {@code owner}. */
  static NDArray rows(NDArray a, NDIndex index, NDManager owner) {
    return JniUtils.indexAdv((PtNDArray) a, index, (PtNDManager) owner);
  }

  /** {@code a.permute(dims)}: a view in a's manager. */
  static NDArray permute(NDArray a, long... dims) {
    return JniUtils.permute((PtNDArray) a, dims);
  }

  /**
   * Copies {@code value} into the box {@code [min[i], max[i])} of {@code target} (every dimension
   * sliced; {@code value} broadcasts to the box), in place.
   */
  static void write(NDArray target, NDArray value, long[] min, long[] max) {
    long[] step = new long[min.length];
    java.util.Arrays.fill(step, 1);
    JniUtils.indexSet((PtNDArray) target, (PtNDArray) value, min, max, step);
  }

  /** {@code target[index] = value} for an index with tensor (advanced) parts, in place. */
  static void write(NDArray target, NDIndex index, NDArray value) {
    JniUtils.indexAdvPut((PtNDArray) target, index, (PtNDArray) value);
  }
}
