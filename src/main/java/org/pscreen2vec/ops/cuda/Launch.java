package org.pscreen2vec.ops.cuda;

/**
 * Launch dimensions. Every grid-stride kernel takes {@link #THREADS} threads per block and enough
 * blocks to give each thread about one element, capped at {@link #MAX_BLOCKS} (the loop in the
 * kernel covers the rest); the per-row softmax takes one block per row up to the same cap.
 */
public final class Launch {
  /** Threads per block (a multiple of the warp size, as the kernels' block reductions need). */
  public static final int THREADS = 256;
  /** Most blocks of one launch: 8 per SM of a 132-SM H100/H200 x 16 waves, well under 2^31. */
  public static final int MAX_BLOCKS = 16_896;
  /** Blocks of the squared error's partial sums (one double per block is read back). */
  public static final int REDUCE_BLOCKS = 1024;

  private Launch() {}

  /** Blocks for n elements at {@link #THREADS} per block; 0 when there is nothing to do. */
  public static int blocks(long n) {
    return blocks(n, THREADS, MAX_BLOCKS);
  }

  /** ceil(n / threads), at most maxBlocks; 0 for n &lt;= 0 (the launcher then skips the call). */
  public static int blocks(long n, int threads, int maxBlocks) {
    if (threads < 1 || maxBlocks < 1) {
      throw new IllegalArgumentException("threads and maxBlocks must be positive: " + threads
          + ", " + maxBlocks);
    }
    if (n <= 0) {
      return 0;
    }
    return (int) Math.min(maxBlocks, (n + threads - 1) / threads);
  }

  /**
   * Elements a grid of this many blocks covers in one sweep; a kernel's grid-stride loop visits
   * element i in iteration i / coverage, so every element is visited exactly once.
   */
  public static long coverage(int blocks, int threads) {
    return (long) blocks * threads;
  }
}
