package org.pscreen2vec.collective;

import org.pscreen2vec.collective.Allreduce.Op;

/**
 * One collective under the {@link Harness}: what nccl-tests' {@code testColl} supplies (byte
 * count, data init, bus-bandwidth factor, run, name). The harness does the rest — sizes, warm-up,
 * slowest-rank timing, the wrong-element check and the report — the same way for every algorithm.
 */
public interface Collective {
  /** The name in result rows and printed lines ("ring", "naive", "star", "mpj", "p2p"). */
  String name();

  /** How many ranks take part (the "ranks" of a result row). */
  int ranks();

  /** Bytes one call on {@code count} floats is said to move: algbw = bytes / time. */
  default long bytes(int count) {
    return 4L * count;
  }

  /** busbw / algbw, as nccl-tests defines it: 2(p-1)/p for allreduce, 1 for a plain send. */
  double busBwFactor();

  /** Fills this rank's buffer for one call from {@code inputs} (nccl-tests' initData). */
  default void init(float[] buf, int count, Inputs inputs, int rank) {
    for (int i = 0; i < count; i++) {
      buf[i] = inputs.value(rank, i);
    }
  }

  /**
   * The ranks whose inputs this rank's result combines with {@code op} (the expected half of
   * nccl-tests' initData): every rank for allreduce; for a send, the sender's.
   */
  int[] sources(int rank);

  /** True when every rank must end with bit-for-bit the same result. */
  boolean sameOnEveryRank();

  /**
   * True when rank 0's clock alone times a call: a send, where rank 0 waits for the
   * acknowledgement (its time is the whole exchange) and the other ranks only wait. Otherwise, as
   * in nccl-tests, a call takes the slowest rank's time.
   */
  default boolean timedAtRankZero() {
    return false;
  }

  /** One call on {@code buf[0 .. count)}, in place. */
  void run(float[] buf, int count, Op op);

  /** An allreduce algorithm on the {@code ranks} ranks of its communicator. */
  static Collective allreduce(Allreduce algorithm, int ranks) {
    int[] everyone = new int[ranks];
    for (int q = 0; q < ranks; q++) {
      everyone[q] = q;
    }
    return new OfAllreduce(algorithm, ranks, everyone);
  }

  /** {@link #allreduce}: every rank's result is the sum of every rank's input. */
  record OfAllreduce(Allreduce algorithm, int ranks, int[] everyone) implements Collective {
    @Override
    public String name() {
      return algorithm.name();
    }

    @Override
    public double busBwFactor() {
      return 2.0 * (ranks - 1) / ranks;
    }

    @Override
    public int[] sources(int rank) {
      return everyone;
    }

    @Override
    public boolean sameOnEveryRank() {
      return true;
    }

    @Override
    public void run(float[] buf, int count, Op op) {
      algorithm.allreduce(buf, 0, count, op);
    }
  }
}
