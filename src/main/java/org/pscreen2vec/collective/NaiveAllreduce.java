package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;

/**
 * The "basic" allreduce: every rank sends its whole buffer to every other rank and sums all p
 * contributions itself, in rank order 0..p-1 (the same order everywhere, so every rank computes
 * the bitwise-identical sum). Each rank moves (p-1) times the buffer each way — simple, few
 * steps, good for small messages, poor for large ones.
 *
 * <p>Large buffers go segment by segment so the extra memory is (p-1) segments, not (p-1) buffers.
 */
public final class NaiveAllreduce implements Allreduce {
  private static final int TAG = 200;

  private final Communicator comm;
  private final int segment;
  private final float[] scratch; // (p, segment): row q holds rank q's segment (own row: a copy)

  NaiveAllreduce(Communicator comm, int segmentFloats) {
    this.comm = comm;
    this.segment = segmentFloats;
    this.scratch = comm.size() > 1 ? new float[comm.size() * segmentFloats] : new float[0];
  }

  @Override
  public String name() {
    return "naive";
  }

  @Override
  public void allreduce(float[] buf, int offset, int count, Op op) {
    int p = comm.size();
    int me = comm.rank();
    if (p > 1) {
      Request[] recvs = new Request[p];
      Request[] sends = new Request[p];
      for (int from = offset; from < offset + count; from += segment) {
        int len = Math.min(segment, offset + count - from);
        for (int q = 0; q < p; q++) {
          if (q != me) {
            recvs[q] = comm.irecv(scratch, q * segment, len, q, TAG);
            sends[q] = comm.isend(buf, from, len, q, TAG);
          }
        }
        System.arraycopy(buf, from, scratch, me * segment, len);
        for (int q = 0; q < p; q++) {
          if (q != me) {
            recvs[q].await("naive allreduce: receive from every rank");
            sends[q].await("naive allreduce: send to every rank");
          }
        }
        for (int i = 0; i < len; i++) {
          float acc = scratch[i];
          for (int q = 1; q < p; q++) {
            acc += scratch[q * segment + i];
          }
          buf[from + i] = acc;
        }
      }
    }
    Allreduce.finish(buf, offset, count, op, p);
  }
}
