package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;

/**
 * The naive allreduce (the proposal's "basic allreduce", all-to-all): every rank sends its whole
 * buffer to every other rank and sums all p contributions itself, in rank order 0..p-1 (the same
 * order everywhere, so every rank computes the bitwise-identical sum). Each rank moves (p-1) times
 * the buffer each way — simple, few steps, good for small messages, poor for large ones.
 *
 * <p>Large buffers go segment by segment so the extra memory is (p-1) segments, not (p-1) buffers;
 * large segments are exchanged pairwise (see {@link #EAGER_BYTES}).
 */
public final class NaiveAllreduce implements Allreduce {
  private static final int TAG = 200;
  /**
   * Messages up to MPJ's eager limit (128 KiB) go to every peer at once. Larger ones go pairwise
   * (round k: send to r+k, receive from r-k): with every rank posting p-1 large rendezvous sends
   * at once, MPJ niodev deadlocked (4 ranks, 16 MiB; every rank waited for every other until the
   * deadline), as docs/PERFORMANCE.md records.
   */
  static final int EAGER_BYTES = 128 << 10;

  private final Communicator comm;
  private final int segment;
  // (p, segment): row q holds rank q's segment; a rank's own row is a copy on ranks >= 2 and
  // unused on ranks 0 and 1, whose sum reads it in place (RankOrderSum)
  private final float[] scratch;

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
      // ranks 0 and 1 are read in place by the sum; a later rank's row is copied into scratch,
      // since the sum's first pass overwrites the slice before it reaches that row
      int own = me > 1 ? -1 : me;
      for (int from = offset; from < offset + count; from += segment) {
        int len = Math.min(segment, offset + count - from);
        if (own < 0) {
          System.arraycopy(buf, from, scratch, me * segment, len);
        }
        if (4L * len <= EAGER_BYTES) {
          exchangeAtOnce(buf, from, len);
        } else {
          exchangePairwise(buf, from, len);
        }
        RankOrderSum.sum(buf, from, len, scratch, 0, segment, p, own);
      }
    }
    Allreduce.finish(buf, offset, count, op, p);
  }

  /** Small segments: post every receive and send at once, then wait for all. */
  private void exchangeAtOnce(float[] buf, int from, int len) {
    int p = comm.size();
    int me = comm.rank();
    Request[] recvs = new Request[p];
    Request[] sends = new Request[p];
    for (int q = 0; q < p; q++) {
      if (q != me) {
        recvs[q] = comm.irecv(scratch, q * segment, len, q, TAG);
        sends[q] = comm.isend(buf, from, len, q, TAG);
      }
    }
    for (int q = 0; q < p; q++) {
      if (q != me) {
        recvs[q].await("naive allreduce: receive from every rank");
        sends[q].await("naive allreduce: send to every rank");
      }
    }
  }

  /**
   * Large segments: p-1 rounds, one send and one receive in flight per rank, the send posted
   * first: where the send and the receive partner are one rank (every round on 2 ranks, the
   * middle round of an even p), the two messages then cross at once over niodev instead of one
   * after the other ({@link Communicator#pairedMessagesTakeTurns}).
   */
  private void exchangePairwise(float[] buf, int from, int len) {
    int p = comm.size();
    int me = comm.rank();
    for (int k = 1; k < p; k++) {
      int to = (me + k) % p;
      int src = (me - k + p) % p;
      Request s = comm.isend(buf, from, len, to, TAG);
      Request r = comm.irecv(scratch, src * segment, len, src, TAG);
      r.await("naive allreduce: receive, round " + k + "/" + (p - 1));
      s.await("naive allreduce: send, round " + k + "/" + (p - 1));
    }
  }
}
