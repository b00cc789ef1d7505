package org.pscreen2vec.comm;

import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;

/**
 * {@link Communicator} on an MPJ Express {@code Intracomm}. Every wait is a poll of
 * {@code Request.Test()} bounded by the deadline (MPJ's own {@code Wait} never times out).
 */
public final class MpjCommunicator implements Communicator {
  private static final int TAG_BARRIER = MAX_USER_TAG + 1;
  private static final int TAG_SPLIT = MAX_USER_TAG + 2;

  private final Intracomm comm;
  private final String name;
  private final int rank;
  private final int size;
  private final int[] worldRanks; // (size) world rank of each rank of this communicator
  private final long deadlineNanos;
  private long bytesSent;
  private long bytesReceived;

  MpjCommunicator(Intracomm comm, String name, int[] worldRanks, long deadlineNanos) {
    this.comm = comm;
    this.name = name;
    try {
      this.rank = comm.Rank();
      this.size = comm.Size();
    } catch (MPIException e) {
      throw new CommException("MPJ could not report rank/size of communicator '" + name + "'", e);
    }
    this.worldRanks = worldRanks;
    this.deadlineNanos = deadlineNanos;
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int worldRankOf(int r) {
    return worldRanks[r];
  }

  @Override
  public long deadlineNanos() {
    return deadlineNanos;
  }

  @Override
  public Request isend(float[] buf, int offset, int count, int dest, int tag) {
    return post(true, buf, buf.length, offset, count, MPI.FLOAT, dest, tag);
  }

  @Override
  public Request isend(int[] buf, int offset, int count, int dest, int tag) {
    return post(true, buf, buf.length, offset, count, MPI.INT, dest, tag);
  }

  @Override
  public Request isend(byte[] buf, int offset, int count, int dest, int tag) {
    return post(true, buf, buf.length, offset, count, MPI.BYTE, dest, tag);
  }

  @Override
  public Request irecv(float[] buf, int offset, int count, int source, int tag) {
    return post(false, buf, buf.length, offset, count, MPI.FLOAT, source, tag);
  }

  @Override
  public Request irecv(int[] buf, int offset, int count, int source, int tag) {
    return post(false, buf, buf.length, offset, count, MPI.INT, source, tag);
  }

  @Override
  public Request irecv(byte[] buf, int offset, int count, int source, int tag) {
    return post(false, buf, buf.length, offset, count, MPI.BYTE, source, tag);
  }

  private Request post(boolean send, Object buf, int length, int offset, int count, Datatype type,
      int peer, int tag) {
    if (offset < 0 || count < 0 || offset + count > length) {
      throw new IllegalArgumentException(String.format(
          "slice [%d, %d+%d) is outside a buffer of length %d", offset, offset, count, length));
    }
    if ((peer < 0 && !(peer == ANY_SOURCE && !send)) || peer >= size) {
      throw new IllegalArgumentException(
          "peer " + peer + " is not a rank of communicator '" + name + "' (size " + size + ")");
    }
    if (tag < 0 || tag > TAG_SPLIT) {
      throw new IllegalArgumentException("tag " + tag + " is outside 0.." + MAX_USER_TAG);
    }
    try {
      mpi.Request r = send
          ? comm.Isend(buf, offset, count, type, peer, tag)
          : comm.Irecv(buf, offset, count, type, peer == ANY_SOURCE ? MPI.ANY_SOURCE : peer, tag);
      if (send) {
        bytesSent += (long) count * type.getByteSize();
      }
      return new MpjRequest(r, send, count, type, peer, tag);
    } catch (MPIException e) {
      throw failure(String.format("MPJ %s of %d elements %s %s failed",
          send ? "send" : "receive", count, send ? "to" : "from", describe(peer)), peer, e);
    }
  }

  private final class MpjRequest implements Request {
    private final mpi.Request request;
    private final boolean send;
    private final int count;
    private final Datatype type;
    private final int peer;
    private final int tag;
    private Status status;
    private boolean counted;

    MpjRequest(mpi.Request request, boolean send, int count, Datatype type, int peer, int tag) {
      this.request = request;
      this.tag = tag;
      this.send = send;
      this.count = count;
      this.type = type;
      this.peer = peer;
    }

    @Override
    public boolean test() {
      if (status == null) {
        try {
          status = request.Test();
        } catch (MPIException e) {
          throw failure("MPJ failed while testing a request with " + describe(peer), peer, e);
        }
      }
      return status != null;
    }

    @Override
    public int await(String what) {
      int peerWorld = peer == ANY_SOURCE ? -1 : worldRanks[peer];
      long start = System.nanoTime();
      long waited = Deadline.await(this::test, deadlineNanos,
          () -> StallReport.log(StallReport.message(worldRanks[rank], peerWorld,
              (send ? "send of " : "receive of ") + (long) count * type.getByteSize()
                  + " bytes, tag " + tag, name, what, System.nanoTime() - start, deadlineNanos)));
      if (waited < 0) {
        throw new PeerTimeoutException(name, worldRanks[rank], peerWorld, what,
            deadlineNanos / 1e9);
      }
      if (send) {
        return count;
      }
      int got;
      try {
        got = status.Get_count(type);
        got = got >= 0 && got <= count ? got : count;
      } catch (RuntimeException e) {
        got = count; // the device did not say; MPJ fills the posted slice or fails the request
      }
      if (!counted) {
        counted = true;
        bytesReceived += (long) got * type.getByteSize();
      }
      return got;
    }

    @Override
    public int peer() {
      return peer;
    }

    @Override
    public int source() {
      if (status == null) {
        throw new IllegalStateException("source() of a request that has not completed");
      }
      return peer != ANY_SOURCE ? peer : status.source;
    }
  }

  /**
   * An MPJ error on a request with a peer: a closed connection means the peer died (exit status
   * 3, naming it); anything else is a communication failure.
   */
  private CommException failure(String what, int peer, MPIException e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.nio.channels.ClosedChannelException
          || c instanceof java.io.IOException) {
        int who = peer == ANY_SOURCE ? -1 : worldRanks[peer];
        return new PeerLostException(String.format("rank %d lost %s on communicator '%s': %s "
            + "because the connection closed (%s) — the peer died", worldRanks[rank],
            describe(peer), name, what, c.getClass().getSimpleName()), who, e);
      }
    }
    return new CommException(what, e);
  }

  private String describe(int peer) {
    return peer == ANY_SOURCE ? "any rank" : "rank " + worldRanks[peer];
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived;
  }

  @Override
  public void builtinAllreduceSum(float[] src, float[] dst, int count) {
    if (count > src.length || count > dst.length || src == dst) {
      throw new IllegalArgumentException("builtin allreduce needs two distinct arrays of at least "
          + count + " floats");
    }
    try {
      comm.Allreduce(src, 0, dst, 0, count, MPI.FLOAT, MPI.SUM);
      // MPJ's tree: up to log2(p) sends and receives of the whole buffer per rank; count one
      // each way as a lower bound (its internals are not observable from here).
      bytesSent += 4L * count;
      bytesReceived += 4L * count;
    } catch (MPIException e) {
      throw new CommException("MPJ Allreduce of " + count + " floats failed on communicator '"
          + name + "'", e);
    }
  }

  @Override
  public void barrier(String what) {
    // Dissemination barrier: log2(size) rounds of one-byte messages, each wait bounded.
    byte[] token = new byte[1];
    byte[] in = new byte[1];
    for (int k = 1; k < size; k <<= 1) {
      int to = (rank + k) % size;
      int from = (rank - k + size) % size;
      Request r = irecv(in, 0, 1, from, TAG_BARRIER);
      Request s = isend(token, 0, 1, to, TAG_BARRIER);
      r.await("barrier '" + what + "' (round " + k + ")");
      s.await("barrier '" + what + "' (round " + k + ")");
    }
  }

  @Override
  public Communicator split(int color, int key, String newName) {
    // MPJ's Split cannot time out; a barrier with a deadline first makes sure every peer is alive.
    barrier("before split into '" + newName + "'");
    Intracomm sub;
    try {
      sub = comm.Split(color, key);
    } catch (MPIException e) {
      throw new CommException("MPJ could not split communicator '" + name + "'", e);
    }
    MpjCommunicator tmp = new MpjCommunicator(sub, newName, new int[sizeOf(sub)], deadlineNanos);
    // Learn the world rank of every member: gather by point-to-point on the new communicator.
    int[] mine = {worldRanks[rank]};
    for (int r = 0; r < tmp.size; r++) {
      if (r != tmp.rank) {
        tmp.isend(mine, 0, 1, r, TAG_SPLIT);
      }
    }
    int[] ids = tmp.worldRanks;
    ids[tmp.rank] = mine[0];
    for (int r = 0; r < tmp.size; r++) {
      if (r != tmp.rank) {
        tmp.irecv(ids, r, 1, r, TAG_SPLIT).await("learning ranks of '" + newName + "'");
      }
    }
    return tmp;
  }

  private static int sizeOf(Intracomm c) {
    try {
      return c.Size();
    } catch (MPIException e) {
      throw new CommException("MPJ could not report the size of a new communicator", e);
    }
  }

  static MpjCommunicator world(long deadlineNanos) {
    try {
      int n = MPI.COMM_WORLD.Size();
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
      }
      return new MpjCommunicator(MPI.COMM_WORLD, "world", ids, deadlineNanos);
    } catch (MPIException e) {
      throw new CommException("MPJ could not report the size of COMM_WORLD", e);
    }
  }

  /** The MPJ communicator, for the reference collectives that wrap MPJ's own algorithms. */
  public Intracomm mpj() {
    return comm;
  }
}
