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
  /**
   * Row chunks the column-sum kernel aims for across its column tiles: each chunk adds its sum
   * to every column of its tile with one atomic, so fewer, longer chunks mean fewer atomics on
   * each address (on an H200, 2,048 chunks of 32 rows reached 43 % of copy bandwidth).
   */
  public static final int COLUMN_SUM_CHUNKS = 512;
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
   * Rows per chunk of the column-sum kernel (bias_act_bwd): about {@link #COLUMN_SUM_CHUNKS}
   * (tile, chunk) blocks when the columns are few, at least 32 rows per chunk so
   * that each thread's atomic add is amortized, and one chunk when the rows are few.
   */
  public static int rowsPerChunk(int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      return 1;
    }
    long tiles = (columnThreads(cols) + THREADS - 1) / THREADS;
    long chunks = Math.max(1, COLUMN_SUM_CHUNKS / tiles);
    long per = (rows + chunks - 1) / chunks;
    return (int) Math.min(rows, Math.max(32, per));
  }

  /**
   * Threads across the columns of the column-sum kernel: one per 4 columns where cols % 4 == 0
   * (the kernel then reads 16 bytes at a time, if its pointers are aligned; otherwise it makes
   * its own narrower tiles and its loop covers them), else one per column.
   */
  static long columnThreads(int cols) {
    return cols % 4 == 0 ? cols / 4 : cols;
  }

  /** Blocks of the column-sum kernel: tiles x chunks, capped (its loop covers the rest). */
  public static int columnSumBlocks(int rows, int cols) {
    if (rows <= 0 || cols <= 0) {
      return 0;
    }
    long tiles = (columnThreads(cols) + THREADS - 1) / THREADS;
    int per = rowsPerChunk(rows, cols);
    long chunks = (rows + (long) per - 1) / per;
    return (int) Math.min(MAX_BLOCKS, tiles * chunks);
  }

  /**
   * Elements a grid of this many blocks covers in one sweep; a kernel's grid-stride loop visits
   * element i in iteration i / coverage, so every element is visited exactly once.
   */
  public static long coverage(int blocks, int threads) {
    return (long) blocks * threads;
  }
}
