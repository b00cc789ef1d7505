package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.Request;
import org.pscreen2vec.run.Timeline;

/**
 * Ring allreduce: reduce-scatter then all-gather around the ring, 2(p-1) steps, each rank sending
 * and receiving 2(p-1)/p of the buffer in total — bandwidth-optimal.
 *
 * <p>The buffer is cut into p chunks (sizes differ by at most one). In reduce-scatter step s a rank
 * sends chunk (r - s) to its right neighbour and adds chunk (r - s - 1) from its left; after p-1
 * steps rank r owns the complete sum of chunk (r + 1). All-gather passes the finished chunks
 * around. Each chunk's final value is computed by exactly one rank and then copied, so every rank
 * ends with bitwise-identical results.
 *
 * <p>Within a step the chunk travels as segments with {@link #WINDOW} of them in flight, so the
 * receive of segment k+1, the send of segment k+1 and the reduction of segment k overlap. A
 * reduce-scatter segment is received with {@link Communicator#irecvAdd}, which adds it into place
 * straight out of the transport's buffer (no scratch array: one copy of the segment fewer per
 * step than receiving it and then adding).
 *
 * <p>On two ranks the left and the right neighbour are the same rank, and there only one send is
 * in flight. MPJ Express's niodev writes a large (rendezvous) message's data while holding the
 * socket's write lock, and its selector thread, the only reader of that peer's socket, needs the
 * same lock to accept the peer's next message. With two sends in flight each way, both ranks can
 * be writing while the other's next request arrives: both selectors wait for their own writers,
 * nobody reads, and both writers block on full sockets. Seen on 2-rank Screen2Vec runs with a
 * 76 MiB buffer (3 segments per chunk, ranks arriving at different times): 4 of 4 runs stopped at
 * the deadline, every rank waiting for the other's segment. With one send per peer in flight a
 * selector can only be waiting while its own rank writes, which needs the peer to have accepted
 * that send, and the peer then has nothing of its own to be accepted: the cycle cannot close
 * ({@code NaiveAllreduce} goes pairwise for the same reason). Over such a transport
 * ({@link Communicator#pairedMessagesTakeTurns}) a 2-rank step also keeps no receive posted ahead
 * and goes in lockstep rounds, the send first, so that the two directions cross at once instead of
 * taking turns ({@link #inRounds}); elsewhere receives keep the window.
 */
public final class RingAllreduce implements Allreduce {
  static final int WINDOW = 2;
  private static final int TAG = 100; // + step, so steps never match each other's messages

  private final Communicator comm;
  private final int segment;

  RingAllreduce(Communicator comm, int segmentFloats) {
    this.comm = comm;
    this.segment = segmentFloats;
  }

  @Override
  public String name() {
    return "ring";
  }

  @Override
  public void allreduce(float[] buf, int offset, int count, Op op) {
    int p = comm.size();
    if (p > 1 && count > 0) {
      int r = comm.rank();
      int right = (r + 1) % p;
      int left = (r - 1 + p) % p;
      Timeline.Span phase = Timeline.span("reduce-scatter").bytes(4L * count * (p - 1) / p);
      for (int s = 0; s < p - 1; s++) {
        int sendChunk = Math.floorMod(r - s, p);
        int recvChunk = Math.floorMod(r - s - 1, p);
        step(buf, offset, count, sendChunk, recvChunk, right, left, TAG + s, true,
            "ring reduce-scatter step " + (s + 1) + "/" + (p - 1));
      }
      phase.close();
      phase = Timeline.span("all-gather").bytes(4L * count * (p - 1) / p);
      for (int s = 0; s < p - 1; s++) {
        int sendChunk = Math.floorMod(r + 1 - s, p);
        int recvChunk = Math.floorMod(r - s, p);
        step(buf, offset, count, sendChunk, recvChunk, right, left, TAG + p + s, false,
            "ring all-gather step " + (s + 1) + "/" + (p - 1));
      }
      phase.close();
    }
    Allreduce.finish(buf, offset, count, op, p);
  }

  /** Sends one chunk to the right while receiving another from the left, segment by segment. */
  private void step(float[] buf, int offset, int count, int sendChunk, int recvChunk, int right,
      int left, int tag, boolean reduce, String what) {
    int p = comm.size();
    int sendStart = offset + Allreduces.partStart(count, p, sendChunk);
    int sendLen = offset + Allreduces.partStart(count, p, sendChunk + 1) - sendStart;
    int recvStart = offset + Allreduces.partStart(count, p, recvChunk);
    int recvLen = offset + Allreduces.partStart(count, p, recvChunk + 1) - recvStart;
    int sendSegs = segments(sendLen);
    int recvSegs = segments(recvLen);
    if (right == left && comm.pairedMessagesTakeTurns()) {
      inRounds(buf, sendStart, sendLen, sendSegs, recvStart, recvLen, recvSegs, right, tag,
          reduce, what);
      return;
    }
    int sendWindow = right == left ? 1 : WINDOW; // see the class comment: niodev's deadlock
    Request[] sends = new Request[WINDOW];
    Request[] recvs = new Request[WINDOW];
    for (int k = 0; k < WINDOW; k++) {
      sends[k] = k < Math.min(sendSegs, sendWindow)
          ? postSend(buf, sendStart, sendLen, k, right, tag) : null;
      recvs[k] = k < recvSegs ? postRecv(buf, recvStart, recvLen, k, left, tag, reduce) : null;
    }
    for (int k = 0; k < Math.max(sendSegs, recvSegs); k++) {
      int slot = k % WINDOW;
      if (k < recvSegs) {
        recvs[slot].await(what + ", segment " + (k + 1) + "/" + recvSegs); // reduced if so
        if (k + WINDOW < recvSegs) {
          recvs[slot] = postRecv(buf, recvStart, recvLen, k + WINDOW, left, tag, reduce);
        }
      }
      if (k < sendSegs) {
        int sslot = k % sendWindow;
        sends[sslot].await(what + ", sending segment " + (k + 1) + "/" + sendSegs);
        if (k + sendWindow < sendSegs) {
          sends[sslot] = postSend(buf, sendStart, sendLen, k + sendWindow, right, tag);
        }
      }
    }
  }

  /**
   * A step on two ranks over a transport where messages crossing between them can take turns
   * ({@link Communicator#pairedMessagesTakeTurns}): round k sends segment k and receives the
   * peer's segment k, the send posted before the receive, and both end before the next round, so
   * the two segments cross at once instead of one after the other. With a receive posted ahead
   * (the window), niodev accepted the peer's next request as soon as it came, the peer began
   * writing, and this rank's own next request then waited for that write to end: every segment
   * after a step's first went one way at a time (docs/PERFORMANCE.md, "The wire, round 5").
   */
  private void inRounds(float[] buf, int sendStart, int sendLen, int sendSegs, int recvStart,
      int recvLen, int recvSegs, int peer, int tag, boolean reduce, String what) {
    for (int k = 0; k < Math.max(sendSegs, recvSegs); k++) {
      Request s = k < sendSegs ? postSend(buf, sendStart, sendLen, k, peer, tag) : null;
      Request r = k < recvSegs ? postRecv(buf, recvStart, recvLen, k, peer, tag, reduce) : null;
      if (r != null) {
        r.await(what + ", segment " + (k + 1) + "/" + recvSegs); // reduced if so
      }
      if (s != null) {
        s.await(what + ", sending segment " + (k + 1) + "/" + sendSegs);
      }
    }
  }

  private int segments(int len) {
    return (int) (((long) len + segment - 1) / segment);
  }

  private Request postSend(float[] buf, int start, int len, int k, int peer, int tag) {
    int from = start + k * segment;
    return comm.isend(buf, from, Math.min(segment, start + len - from), peer, tag);
  }

  /** A reduce-scatter segment is added into its place as it arrives, an all-gather one stored. */
  private Request postRecv(float[] buf, int start, int len, int k, int peer, int tag,
      boolean reduce) {
    int from = start + k * segment;
    int n = Math.min(segment, start + len - from);
    return reduce ? comm.irecvAdd(buf, from, n, peer, tag) : comm.irecv(buf, from, n, peer, tag);
  }
}
