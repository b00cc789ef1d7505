package org.pscreen2vec.data;

import java.util.Arrays;

/**
 * Which items each worker reads in an epoch. The items are permuted by (seed, epoch) and dealt out
 * in contiguous parts, so shards are disjoint, cover every item, differ in size by at most one
 * item, and depend only on (seed, epoch, rank, workers). Every worker runs the same number of
 * steps ({@link #steps}); where a shard runs out first, its last batch is shorter or empty, and the
 * worker still takes part in that step's synchronization (with a zero-weight contribution), so no
 * rank waits for a step that another rank never starts.
 */
public final class Sharding {
  private Sharding() {}

  /**
   * One worker's part of an epoch.
   *
   * @param items     the item indices of this worker, in reading order
   * @param batchSize items per step (the last steps may hold fewer, or none)
   * @param steps     steps of the epoch, the same on every worker
   */
  public record Shard(int[] items, int batchSize, int steps) {
    /** The items of step {@code step} (0-based): possibly shorter than batchSize, or empty. */
    public int[] batch(int step) {
      if (step < 0 || step >= steps) {
        throw new IllegalArgumentException("step " + step + " is outside 0.." + (steps - 1));
      }
      int from = Math.min(items.length, step * batchSize);
      int to = Math.min(items.length, from + batchSize);
      return Arrays.copyOfRange(items, from, to);
    }
  }

  /** Steps per epoch on every worker: ceil(largest shard / batchSize). */
  public static int steps(int itemCount, int batchSize, int workers) {
    validate(itemCount, batchSize, 0, workers);
    int largest = (itemCount + workers - 1) / workers;
    return (largest + batchSize - 1) / batchSize;
  }

  /**
   * Items that all workers together read in the first {@code steps} steps of an epoch (the job's
   * samples, not one rank's): worker r's shard holds floor((r+1)n/W) - floor(rn/W) items, of which
   * it reads at most steps * batchSize.
   */
  public static long jobSamples(int itemCount, int batchSize, int workers, int steps) {
    validate(itemCount, batchSize, 0, workers);
    long perWorker = (long) steps * batchSize;
    long total = 0;
    for (int r = 0; r < workers; r++) {
      long size = (long) (r + 1) * itemCount / workers - (long) r * itemCount / workers;
      total += Math.min(size, perWorker);
    }
    return total;
  }

  /** Worker {@code rank}'s shard of epoch {@code epoch}. */
  public static Shard shard(int itemCount, int batchSize, long seed, int epoch, int rank,
      int workers) {
    validate(itemCount, batchSize, rank, workers);
    int[] perm = permutation(itemCount, seed, epoch);
    int from = (int) ((long) rank * itemCount / workers);
    int to = (int) ((long) (rank + 1) * itemCount / workers);
    return new Shard(Arrays.copyOfRange(perm, from, to), batchSize,
        steps(itemCount, batchSize, workers));
  }

  /** A permutation of 0..n-1 that depends only on (seed, epoch): Fisher-Yates with SplitMix64. */
  public static int[] permutation(int n, long seed, int epoch) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    long state = mix(seed ^ mix(0x5EED_0000L + epoch));
    for (int i = n - 1; i > 0; i--) {
      state += 0x9E3779B97F4A7C15L;
      int j = (int) Long.remainderUnsigned(mix(state), i + 1L);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** SplitMix64's finalizer: a well-mixed 64-bit function of x. */
  static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }

  private static void validate(int itemCount, int batchSize, int rank, int workers) {
    if (itemCount < 0) {
      throw new IllegalArgumentException("item count must not be negative, was " + itemCount);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be at least 1, was " + batchSize);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    if (rank < 0 || rank >= workers) {
      throw new IllegalArgumentException("rank " + rank + " is outside 0.." + (workers - 1));
    }
  }
}
