package org.pscreen2vec.sync;

/**
 * What the workers decide together once per step, carried inside the step's own allreduce instead
 * of a separate exchange: whether to stop (a SIGTERM reached any worker), which worker found a
 * non-finite loss or gradient (and where), and, every K steps, each worker's parameter checksum.
 *
 * <p>Encoding: a block of {@link #floats} floats at the end of the (last) fused buffer. Slot 0 is
 * the stop flag; worker w owns the {@value #PER_WORKER} slots after it and every other worker
 * writes zeros there, so the sum is exactly the owner's words (small integers, at most 2^16, are
 * exact in a float whatever the order of the sum). Every worker therefore reads the same words
 * and reaches the same verdict.
 *
 * <p>A strategy that carries it ({@link GradientSync#carriesControl}) also looks for the first
 * non-finite gradient in the pass that weights the gradient by the sample count (a pass it makes
 * anyway), recording it with {@link #foundDense}/{@link #foundTable}; the trainer sets the rest
 * ({@link #prepare}) before the step's synchronization and reads the verdict after it.
 */
public final class StepControl {
  /** Kinds of a worker's finding. */
  public static final int NONE = 0;
  public static final int LOSS = 1;
  public static final int DENSE = 2;
  public static final int TABLE = 3;
  static final int PER_WORKER = 8; // kind, index hi, index lo, with-sum, four 16-bit sum pieces

  private final int workers;
  private final int rank;
  // this worker's words: set by the trainer ...
  private boolean stop;
  private boolean lossFinite = true;
  private boolean withSum;
  private long sum;
  // ... and found by the strategy (possibly on its communication thread)
  private int gradKind = NONE;
  private int gradIndex;
  // the verdict, after read()
  private boolean anyStop;
  private final int[] kinds;
  private final int[] indices;
  private final boolean[] sums;
  private final long[] checksums;

  public StepControl(int rank, int workers) {
    if (workers < 1 || rank < 0 || rank >= workers) {
      throw new IllegalArgumentException("rank " + rank + " of " + workers + " workers");
    }
    this.rank = rank;
    this.workers = workers;
    this.kinds = new int[workers];
    this.indices = new int[workers];
    this.sums = new boolean[workers];
    this.checksums = new long[workers];
  }

  /** Floats the block takes in a buffer. */
  public static int floats(int workers) {
    return 1 + PER_WORKER * workers;
  }

  /** Forgets the previous step's findings (the strategy calls it when a step begins). */
  public void clearFindings() {
    gradKind = NONE;
    gradIndex = 0;
  }

  /** This worker's own words for this step (the trainer's part). */
  public void prepare(boolean stopRequested, boolean finiteLoss, boolean withChecksum,
      long checksum) {
    stop = stopRequested;
    lossFinite = finiteLoss;
    withSum = withChecksum;
    sum = withChecksum ? checksum : 0;
  }

  /** The first non-finite dense gradient of this worker (the first finding is kept). */
  public void foundDense(int i) {
    if (gradKind == NONE) {
      gradKind = DENSE;
      gradIndex = i;
    }
  }

  /** A non-finite gradient row of table t (the first finding is kept). */
  public void foundTable(int t) {
    if (gradKind == NONE) {
      gradKind = TABLE;
      gradIndex = t;
    }
  }

  private int kind() {
    return lossFinite ? gradKind : LOSS;
  }

  private int index() {
    return lossFinite ? gradIndex : 0;
  }

  /** Writes this worker's block (zeros in the other workers' slots) at {@code buf[at ..]}. */
  public void write(float[] buf, int at) {
    java.util.Arrays.fill(buf, at, at + floats(workers), 0f);
    buf[at] = stop ? 1f : 0f;
    int o = at + 1 + PER_WORKER * rank;
    buf[o] = kind();
    buf[o + 1] = index() >>> 16;
    buf[o + 2] = index() & 0xFFFF;
    buf[o + 3] = withSum ? 1f : 0f;
    for (int k = 0; k < 4; k++) {
      buf[o + 4 + k] = (sum >>> (48 - 16 * k)) & 0xFFFF;
    }
  }

  /** Reads the summed block (every worker's words) from {@code buf[at ..]}. */
  public void read(float[] buf, int at) {
    anyStop = buf[at] != 0f;
    for (int w = 0; w < workers; w++) {
      int o = at + 1 + PER_WORKER * w;
      kinds[w] = (int) buf[o];
      indices[w] = ((int) buf[o + 1] << 16) | (int) buf[o + 2];
      sums[w] = buf[o + 3] != 0f;
      long s = 0;
      for (int k = 0; k < 4; k++) {
        s = (s << 16) | ((long) buf[o + 4 + k] & 0xFFFF);
      }
      checksums[w] = s;
    }
  }

  /** The verdict as this worker decided alone (one worker: nothing to exchange). */
  public void readAlone() {
    anyStop = stop;
    kinds[rank] = kind();
    indices[rank] = index();
    sums[rank] = withSum;
    checksums[rank] = sum;
  }

  /** Whether any worker asked to stop after this step. */
  public boolean stop() {
    return anyStop;
  }

  /** The first worker (lowest rank) that found something not finite, or -1. */
  public int nanWorker() {
    for (int w = 0; w < workers; w++) {
      if (kinds[w] != NONE) {
        return w;
      }
    }
    return -1;
  }

  /** {@link #NONE}, {@link #LOSS}, {@link #DENSE} or {@link #TABLE} of worker w. */
  public int kind(int w) {
    return kinds[w];
  }

  /** The dense index or table of worker w's finding. */
  public int index(int w) {
    return indices[w];
  }

  /** The first worker whose checksum differs from worker 0's, or -1 (also when none was sent). */
  public int mismatchWorker() {
    for (int w = 1; w < workers; w++) {
      if (sums[0] && sums[w] && checksums[w] != checksums[0]) {
        return w;
      }
    }
    return -1;
  }

  /** Worker w's checksum (valid when it sent one). */
  public long checksum(int w) {
    return checksums[w];
  }
}
