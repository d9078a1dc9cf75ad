package dev.rlhfmesh.trainersvc.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order examples are drawn in: epoch e is a permutation seeded by (seed, e), and the k-th
 * example drawn overall is a pure function of (seed, k). A checkpoint therefore only needs the
 * cursor (examples drawn so far) to continue the same order after a resume.
 */
public final class DataOrder {
  private final int size;
  private final long seed;
  private int cachedEpoch = -1;
  private int[] cachedPerm;

  public DataOrder(int size, long seed) {
    if (size <= 0) {
      throw new IllegalArgumentException("no examples to draw from");
    }
    this.size = size;
    this.seed = seed;
  }

  /** Indices of the {@code count} examples drawn from position {@code cursor} on. */
  public int[] take(long cursor, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) {
      long k = cursor + i;
      int epoch = (int) (k / size);
      out[i] = permutation(epoch)[(int) (k % size)];
    }
    return out;
  }

  public <T> List<T> batch(List<T> items, long cursor, int count) {
    List<T> out = new ArrayList<>(count);
    for (int i : take(cursor, count)) {
      out.add(items.get(i));
    }
    return out;
  }

  private int[] permutation(int epoch) {
    if (epoch != cachedEpoch) {
      cachedPerm = shuffled(size, Seeds.mix(seed, 0x0DA7A0DE, epoch));
      cachedEpoch = epoch;
    }
    return cachedPerm;
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  public static int[] shuffled(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Splits into {train, eval}: a seeded shuffle, the last {@code evalFraction} held out. */
  public static <T> List<List<T>> split(List<T> items, double evalFraction, long seed) {
    int[] p = shuffled(items.size(), Seeds.mix(seed, 0x5B117, 0));
    int nEval = (int) Math.round(items.size() * evalFraction);
    List<T> train = new ArrayList<>();
    List<T> eval = new ArrayList<>();
    for (int i = 0; i < p.length; i++) {
      (i < p.length - nEval ? train : eval).add(items.get(p[i]));
    }
    return List.of(train, eval);
  }
}
