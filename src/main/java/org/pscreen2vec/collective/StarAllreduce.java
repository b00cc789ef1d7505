package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;

/**
 * Star allreduce: every rank sends its buffer to rank 0, which sums the p contributions in rank
 * order and sends the result back. Rank 0's link carries 2(p-1) buffers: it is the bottleneck the
 * ring removes, and the shape a single parameter server has.
 */
public final class StarAllreduce implements Allreduce {
  private static final int TAG_UP = 300;
  private static final int TAG_DOWN = 301;

  private final Communicator comm;
  private final int segment;
  private final float[] scratch; // root: (p - 1, segment): rank q's segment in row q - 1

  StarAllreduce(Communicator comm, int segmentFloats) {
    this.comm = comm;
    this.segment = segmentFloats;
    this.scratch = comm.size() > 1 && comm.rank() == 0
        ? new float[(comm.size() - 1) * segmentFloats] : new float[0];
  }

  @Override
  public String name() {
    return "star";
  }

  @Override
  public void allreduce(float[] buf, int offset, int count, Op op) {
    int p = comm.size();
    if (p > 1) {
      for (int from = offset; from < offset + count; from += segment) {
        int len = Math.min(segment, offset + count - from);
        if (comm.rank() == 0) {
          reduceAtRoot(buf, from, len);
        } else {
          Request down = comm.irecv(buf, from, len, 0, TAG_DOWN);
          comm.send(buf, from, len, 0, TAG_UP);
          down.await("star allreduce: result from rank 0");
        }
      }
    }
    Allreduce.finish(buf, offset, count, op, p);
  }

  private void reduceAtRoot(float[] buf, int from, int len) {
    int p = comm.size();
    Request[] recvs = new Request[p];
    for (int q = 1; q < p; q++) {
      recvs[q] = comm.irecv(scratch, (q - 1) * segment, len, q, TAG_UP);
    }
    for (int q = 1; q < p; q++) {
      recvs[q].await("star allreduce: contribution to rank 0");
    }
    // row 0 is the root's own slice; row q >= 1 arrived at (q - 1) * segment
    RankOrderSum.sum(buf, from, len, scratch, -segment, segment, p, 0);
    Request[] sends = new Request[p];
    for (int q = 1; q < p; q++) {
      sends[q] = comm.isend(buf, from, len, q, TAG_DOWN);
    }
    for (int q = 1; q < p; q++) {
      sends[q].await("star allreduce: result to every rank");
    }
  }
}
