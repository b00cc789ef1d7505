package org.pscreen2vec.collective;

/**
 * Sums (or averages) a float slice across all ranks of a communicator, in place. Every rank of the
 * communicator calls it with the same count; afterwards every rank holds the bitwise-identical
 * result. Implementations: {@link RingAllreduce}, {@link NaiveAllreduce}, {@link StarAllreduce},
 * {@link MpjAllreduce}; pick one by name with {@link Allreduces#create}.
 */
public interface Allreduce {
  /** Sum, or sum then scale by 1/size (written once here, as Horovod does). */
  enum Op {
    SUM, AVERAGE
  }

  /** The name used on the command line and in results ("ring", "naive", "star", "mpj"). */
  String name();

  /** Reduces {@code buf[offset .. offset+count)} in place. */
  void allreduce(float[] buf, int offset, int count, Op op);

  default void allreduce(float[] buf, Op op) {
    allreduce(buf, 0, buf.length, op);
  }

  /** Scales the slice by 1/size when {@code op} is AVERAGE; the same code path on every rank. */
  static void finish(float[] buf, int offset, int count, Op op, int size) {
    if (op == Op.AVERAGE && size > 1) {
      float inv = 1.0f / size;
      for (int i = offset; i < offset + count; i++) {
        buf[i] *= inv;
      }
    }
  }
}
