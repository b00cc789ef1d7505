package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;

/**
 * MPJ Express's own {@code Allreduce} (a tree reduce to rank 0 and a tree broadcast), wrapped to
 * the same interface: the reference point, not ours. MPJ gives wrong results when the send and
 * receive offsets differ and has no in-place mode, so the slice is copied to a buffer at offset 0
 * and the result copied back; those copies are part of its measured time. A barrier with a
 * deadline runs first, because MPJ's own waits never time out: a peer already gone is named
 * there; one that goes during the call is caught by the communicator's watch of MPJ's own
 * collectives ({@code MpjCommunicator.builtinAllreduceSum}).
 */
public final class MpjAllreduce implements Allreduce {
  /**
   * Largest message MPJ Express 0.44's Allreduce survives on more than 2 ranks: at 256 MiB on 4
   * multicore ranks its buddy buffer allocator asks for a 2 GiB region and fails inside a receive
   * ("capacity < 0" in Buddy1BufferFactory), leaving the other ranks blocked in MPJ for good.
   * Refusing up front, identically on every rank, keeps the job from hanging.
   */
  public static final long MAX_BYTES_ABOVE_TWO_RANKS = 128L << 20;

  private final Communicator comm;
  private float[] in = new float[0];
  private float[] out = new float[0];

  MpjAllreduce(Communicator comm) {
    this.comm = comm;
  }

  @Override
  public String name() {
    return "mpj";
  }

  @Override
  public void allreduce(float[] buf, int offset, int count, Op op) {
    int p = comm.size();
    if (p > 2 && 4L * count > MAX_BYTES_ABOVE_TWO_RANKS) {
      throw new SizeLimitException(String.format("MPJ Express's Allreduce cannot "
          + "reduce %d MiB on %d ranks (its buffer allocator overflows above %d MiB); use ring",
          (4L * count) >> 20, p, MAX_BYTES_ABOVE_TWO_RANKS >> 20));
    }
    if (p > 1 && count > 0) {
      if (in.length < count) {
        in = new float[count];
        out = new float[count];
      }
      System.arraycopy(buf, offset, in, 0, count);
      comm.barrier("before MPJ Allreduce");
      comm.builtinAllreduceSum(in, out, count);
      System.arraycopy(out, 0, buf, offset, count);
    }
    Allreduce.finish(buf, offset, count, op, p);
  }
}
