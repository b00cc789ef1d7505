package org.pscreen2vec.comm;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import mpjbuf.BufferFactory;
import mpjbuf.NIOBuffer;
import mpjbuf.RawBuffer;

/**
 * {@link Communicator} on an MPJ Express {@code Intracomm}. Every wait is a poll of
 * {@code Request.Test()} bounded by the deadline (MPJ's own {@code Wait} never times out).
 *
 * <p><b>Floats and ints go in this machine's byte order.</b> MPJ's {@code Isend}/{@code Irecv}
 * pack a {@code float[]} or {@code int[]} into a direct {@code ByteBuffer} left in Java's default
 * big-endian order, so on x86 every element is byte-swapped on the way in and again on the way
 * out — a scalar swap loop in the JVM ({@code Copy::conjoint_swap}), the largest user-side cost
 * of a 64 MiB ring over niodev in a {@code perf} profile (docs/PERFORMANCE.md, "The wire,
 * round 3"). Float and int messages therefore go one level down, through the communicator's device
 * ({@code Comm.mpjdevComm}, MPJ's public device API, the one its own {@code Isend} calls), in a
 * buffer from MPJ's buffer factory whose order is set to the native one only while the elements
 * are copied in or out: the same layout on the wire (the device's header, MPJ's section header,
 * then the elements), packed and unpacked by a plain memory copy. Every float and int message of
 * this class goes this way, so sender and receiver always agree; it assumes every rank has the
 * same native byte order (every x86 or ARM cluster). The buffer's order is set back before it
 * returns to the factory, which MPJ's own traffic shares. Byte messages need no swap and keep
 * MPJ's {@code Isend}/{@code Irecv}.
 */
public final class MpjCommunicator implements Communicator {
  private static final int TAG_BARRIER = MAX_USER_TAG + 1;
  private static final int TAG_SPLIT = MAX_USER_TAG + 2;
  /**
   * How long a rank that found a channel closed lets niodev's receiving thread end: niodev closes
   * the channels first and ends the thread microseconds later.
   */
  private static final long CUT_OFF_MILLIS = 200;

  private final Intracomm comm;
  private final String name;
  private final int rank;
  private final int size;
  private final int[] worldRanks; // (size) world rank of each rank of this communicator
  private final long deadlineNanos;
  private final boolean pairTurns; // see pairedMessagesTakeTurns: MPJ's TCP devices
  private final NiodevReceiver receiver; // niodev's receiving thread; null: not watched
  private final boolean interruptible; // multicore: MPJ's waits end on an interrupt
  private long bytesSent;
  private long bytesReceived;

  MpjCommunicator(Intracomm comm, String name, int[] worldRanks, long deadlineNanos,
      boolean pairTurns, NiodevReceiver receiver, boolean interruptible) {
    this.comm = comm;
    this.pairTurns = pairTurns;
    this.receiver = receiver;
    this.interruptible = interruptible;
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
  public boolean pairedMessagesTakeTurns() {
    return pairTurns;
  }

  @Override
  public Request isend(float[] buf, int offset, int count, int dest, int tag) {
    check(true, buf.length, offset, count, dest, tag);
    return new Staged(true, buf, offset, count, dest, tag);
  }

  @Override
  public Request isend(int[] buf, int offset, int count, int dest, int tag) {
    check(true, buf.length, offset, count, dest, tag);
    return new Staged(true, buf, offset, count, dest, tag);
  }

  @Override
  public Request isend(byte[] buf, int offset, int count, int dest, int tag) {
    return post(true, buf, buf.length, offset, count, MPI.BYTE, dest, tag);
  }

  @Override
  public Request irecv(float[] buf, int offset, int count, int source, int tag) {
    check(false, buf.length, offset, count, source, tag);
    return new Staged(false, buf, offset, count, source, tag);
  }

  @Override
  public Request irecvAdd(float[] buf, int offset, int count, int source, int tag) {
    check(false, buf.length, offset, count, source, tag);
    return new Staged(false, true, buf, offset, count, source, tag);
  }

  @Override
  public Request irecv(int[] buf, int offset, int count, int source, int tag) {
    check(false, buf.length, offset, count, source, tag);
    return new Staged(false, buf, offset, count, source, tag);
  }

  @Override
  public Request irecv(byte[] buf, int offset, int count, int source, int tag) {
    return post(false, buf, buf.length, offset, count, MPI.BYTE, source, tag);
  }

  private void check(boolean send, int length, int offset, int count, int peer, int tag) {
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
  }

  private Request post(boolean send, Object buf, int length, int offset, int count, Datatype type,
      int peer, int tag) {
    check(send, length, offset, count, peer, tag);
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

  /** What both kinds of request share: the bounded wait, its stall report and byte counting. */
  private abstract class Pending implements Request {
    final boolean send;
    final int count;
    final int elementBytes;
    final int peer;
    final int tag;
    private boolean counted;

    Pending(boolean send, int count, int elementBytes, int peer, int tag) {
      this.send = send;
      this.count = count;
      this.elementBytes = elementBytes;
      this.peer = peer;
      this.tag = tag;
    }

    /** For a completed receive: the elements that arrived (at most {@link #count}). */
    abstract int received();

    /**
     * False while niodev's receiving thread runs (or is not watched). Once it has ended, niodev
     * has closed every connection of this rank and the request can never complete, so the wait
     * ends at once, naming the peers whose connections closed first ({@link NiodevReceiver}).
     */
    private boolean receiverStopped(String what) {
      if (receiver == null || !receiver.stopped()) {
        return false;
      }
      throw cutOff(String.format("seen while it waited for %s: %s of %d bytes, tag %d on "
          + "communicator '%s', %s", describe(peer), send ? "send" : "receive",
          (long) count * elementBytes, tag, name, what), true);
    }

    /** For a completed request: the rank the message came from, as the device reports it. */
    abstract int reportedSource();

    @Override
    public int await(String what) {
      int peerWorld = peer == ANY_SOURCE ? -1 : worldRanks[peer];
      long start = System.nanoTime();
      long waited = Deadline.await(() -> test() || receiverStopped(what), deadlineNanos,
          () -> StallReport.log(StallReport.message(worldRanks[rank], peerWorld,
              (send ? "send of " : "receive of ") + (long) count * elementBytes
                  + " bytes, tag " + tag, name, what, System.nanoTime() - start, deadlineNanos)));
      if (waited < 0) {
        throw new PeerTimeoutException(name, worldRanks[rank], peerWorld, what,
            deadlineNanos / 1e9, closedNote());
      }
      if (send) {
        return count;
      }
      int got = received();
      if (!counted) {
        counted = true;
        bytesReceived += (long) got * elementBytes;
      }
      return got;
    }

    @Override
    public int peer() {
      return peer;
    }

    @Override
    public int source() {
      if (!test()) {
        throw new IllegalStateException("source() of a request that has not completed");
      }
      return peer != ANY_SOURCE ? peer : reportedSource();
    }
  }

  private final class MpjRequest extends Pending {
    private final mpi.Request request;
    private final Datatype type;
    private Status status;

    MpjRequest(mpi.Request request, boolean send, int count, Datatype type, int peer, int tag) {
      super(send, count, type.getByteSize(), peer, tag);
      this.request = request;
      this.type = type;
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
    int received() {
      try {
        int got = status.Get_count(type);
        return got >= 0 && got <= count ? got : count;
      } catch (RuntimeException e) {
        return count; // the device did not say; MPJ fills the posted slice or fails the request
      }
    }

    @Override
    int reportedSource() {
      return status.source;
    }
  }

  /**
   * A float or int message through the device in a native-order buffer (see the class comment).
   * The send packs at once and the buffer goes back to MPJ's factory when the send completes; the
   * receive unpacks into the caller's slice when it is first seen complete.
   */
  private final class Staged extends Pending {
    /** Floats an adding receive reads out of MPJ's buffer at a time: 16 KiB, a cache-sized tile. */
    private static final int ADD_TILE = 4096;

    private final Object target; // float[] or int[] (4-byte elements)
    private final boolean add; // a float receive from irecvAdd: added into the target, not stored
    private final mpjbuf.Type type;
    private final int offset;
    private RawBuffer raw;
    private mpjbuf.Buffer staged;
    private mpjdev.Request request;
    private mpjdev.Status status;
    private int got;

    Staged(boolean send, Object buf, int offset, int count, int peer, int tag) {
      this(send, false, buf, offset, count, peer, tag);
    }

    Staged(boolean send, boolean add, Object buf, int offset, int count, int peer, int tag) {
      super(send, count, Float.BYTES, peer, tag);
      this.add = add;
      this.target = send ? null : buf;
      this.type = buf instanceof float[] ? mpjbuf.Type.FLOAT : mpjbuf.Type.INT;
      this.offset = offset;
      int overhead = send ? MPI.SEND_OVERHEAD : MPI.RECV_OVERHEAD;
      // MPJ's layout (BasicType.packedSize): an 8-byte section header, the data, padded to 8
      int packed = 8 + Float.BYTES * count;
      int capacity = overhead + packed + packed % 8;
      int src = peer == ANY_SOURCE ? MPI.ANY_SOURCE : peer;
      try {
        raw = BufferFactory.create(capacity);
        if (!(raw instanceof NIOBuffer)) {
          throw new CommException("MPJ's buffer factory gave a " + raw.getClass().getName()
              + ", not the NIOBuffer whose byte order this communicator sets");
        }
        staged = new mpjbuf.Buffer(raw, overhead, capacity);
        if (send) {
          staged.putSectionHeader(type);
          elementsInNativeOrder(true);
          if (buf instanceof float[]) {
            staged.write((float[]) buf, offset, count);
          } else {
            staged.write((int[]) buf, offset, count);
          }
          elementsInNativeOrder(false);
          staged.commit();
          request = comm.mpjdevComm.isend(staged, peer, tag, true);
          bytesSent += (long) elementBytes * count;
        } else {
          request = comm.mpjdevComm.irecv(staged, src, tag, new mpjdev.Status(src, tag, -1),
              true);
        }
      } catch (RuntimeException | mpjbuf.BufferException e) {
        release();
        throw failure(String.format("MPJ %s of %d %ss %s %s failed", send ? "send" : "receive",
            count, type, send ? "to" : "from", describe(peer)), peer, e);
      }
    }

    @Override
    public boolean test() {
      if (status != null) {
        return true;
      }
      try {
        if (request.itest() == null) {
          return false;
        }
        status = request.iwait(); // already complete: returns at once, as MPJ's Test does
        if (!send) {
          staged.commit();
          mpjbuf.Type arrived = staged.getSectionHeader();
          got = staged.getSectionSize();
          if (arrived != type || got < 0 || got > count) {
            throw new CommException(String.format("rank %d: a message of %d %ss from %s on "
                + "communicator '%s' (tag %d) does not fit the %d %ss posted", worldRanks[rank],
                got, arrived, describe(peer), name, tag, count, type));
          }
          elementsInNativeOrder(true);
          if (add) {
            addInto((float[]) target);
          } else if (target instanceof float[]) {
            staged.read((float[]) target, offset, got);
          } else {
            staged.read((int[]) target, offset, got);
          }
          elementsInNativeOrder(false);
        }
      } catch (RuntimeException | mpjbuf.BufferException e) {
        throw failure("MPJ failed while completing a message with " + describe(peer), peer, e);
      } finally {
        if (status != null) {
          release();
        }
      }
      return true;
    }

    /**
     * Adds the arrived elements into the target slice, reading MPJ's buffer a cache-sized tile at
     * a time: the tile stays in the first-level cache, so the elements cross memory once instead
     * of being stored into a message-sized scratch array and read back for the sum.
     */
    private void addInto(float[] out) throws mpjbuf.BufferException {
      float[] tile = new float[Math.min(got, ADD_TILE)];
      for (int done = 0; done < got; ) {
        int n = Math.min(tile.length, got - done);
        staged.read(tile, 0, n); // the section's next n elements
        int o = offset + done;
        for (int i = 0; i < n; i++) {
          out[o + i] += tile[i];
        }
        done += n;
      }
    }

    /**
     * Only the elements are in native order: the device writes its own header into the same
     * byte buffer (MPJ's send overhead) and the section header is MPJ's too, both read by the
     * peer in MPJ's big-endian order.
     */
    private void elementsInNativeOrder(boolean on) {
      ((NIOBuffer) raw).getBuffer().order(on ? ByteOrder.nativeOrder() : ByteOrder.BIG_ENDIAN);
    }

    /** Gives the buffer back to MPJ's factory in the order MPJ's own code expects. */
    private void release() {
      if (raw == null) {
        return;
      }
      if (staged != null) {
        staged.free(); // as MPJ's own completion handlers do: clears the byte buffer
      }
      if (raw instanceof NIOBuffer) {
        elementsInNativeOrder(false);
      }
      BufferFactory.destroy(raw);
      raw = null;
    }

    @Override
    int received() {
      return got;
    }

    @Override
    int reportedSource() {
      return status.source;
    }
  }

  /**
   * An MPJ error on a request with a peer: a closed connection means the peer died (exit status
   * 3, naming it); anything else is a communication failure.
   */
  private CommException failure(String what, int peer, Exception e) {
    if (e instanceof CommException) {
      return (CommException) e;
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.nio.channels.ClosedChannelException
          || c instanceof java.io.IOException) {
        if (receiver != null) {
          // niodev closes this rank's channels when one peer's closes: which closed first?
          boolean cut = receiver.stopsWithin(CUT_OFF_MILLIS);
          PeerLostException named = cutOff("seen when " + what, cut);
          if (named.peerWorldRank() >= 0 || cut) {
            return named;
          }
        }
        int who = peer == ANY_SOURCE ? -1 : worldRanks[peer];
        return new PeerLostException(String.format("rank %d lost %s on communicator '%s': %s "
            + "because the connection closed (%s) — the peer died", worldRanks[rank],
            describe(peer), name, what, c.getClass().getSimpleName()), who, e);
      }
    }
    return new CommException(what, e);
  }

  /**
   * The error of a rank whose connections closed: names the peers whose connections closed from
   * their side first ({@link NiodevReceiver}); {@code cut} when niodev has since closed every
   * connection of this rank. Names no peer (-1) where the kernel's table does not tell.
   */
  private PeerLostException cutOff(String seen, boolean cut) {
    List<Integer> closed = receiver.closedFirst();
    String then = cut ? "; MPJ's niodev then closed every connection of this rank (" + seen + ")"
        : " (" + seen + ")";
    if (closed == null || closed.isEmpty()) {
      return new PeerLostException(String.format("rank %d lost its connections: a peer's "
          + "connection closed (that peer died or ended)%s", worldRanks[rank], then), -1, null);
    }
    return new PeerLostException(String.format("rank %d lost %s%s", worldRanks[rank],
        closedFromTheirSide(closed), then), closed.get(0), null);
  }

  /**
   * For a wait that timed out: the peers whose connections closed from their side first, if the
   * kernel's table names any ({@link NiodevReceiver}); niodev may have stopped receiving then.
   */
  private String closedNote() {
    List<Integer> closed = receiver == null ? null : receiver.closedFirst();
    if (closed == null || closed.isEmpty()) {
      return "";
    }
    return String.format("; before that, this rank lost %s, after which MPJ's niodev may "
        + "receive from no rank", closedFromTheirSide(closed));
  }

  /** "rank 1, whose connection closed from its side first (it died or ended)", or plural. */
  private static String closedFromTheirSide(List<Integer> worldRanks) {
    return worldRanks.size() == 1
        ? "rank " + worldRanks.get(0) + ", whose connection closed from its side first (it died "
            + "or ended)"
        : "ranks " + worldRanks.stream().map(String::valueOf).collect(Collectors.joining(", "))
            + ", whose connections closed from their side first (they died or ended)";
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
    String what = "MPJ's own Allreduce of " + count + (count == 1 ? " float" : " floats");
    watched(what, () -> {
      comm.Allreduce(src, 0, dst, 0, count, MPI.FLOAT, MPI.SUM);
      return null;
    }, e -> failure(what + " failed on communicator '" + name + "'", ANY_SOURCE, e));
    // MPJ's tree: up to log2(p) sends and receives of the whole buffer per rank; count one
    // each way as a lower bound (its internals are not observable from here).
    bytesSent += 4L * count;
    bytesReceived += 4L * count;
  }

  /**
   * Runs one of MPJ's own collectives under the watch ({@link InFlight}). Where the watch gave
   * up on it (multicore: the interrupt made it throw), throws why; any other failure becomes
   * {@code failed}'s exception.
   */
  private <T> T watched(String what, Supplier<T> call,
      Function<RuntimeException, RuntimeException> failed) {
    InFlight watch = new InFlight(what);
    try {
      return call.get();
    } catch (RuntimeException e) { // MPJ's MPIException is one
      PeerLostException why = watch.givenUp();
      throw why != null ? why : failed.apply(e);
    } finally {
      watch.end();
    }
  }

  /**
   * One of MPJ's own collectives in flight on this communicator, watched by {@link
   * CollectiveWatch}: MPJ's blocking calls have no deadline, and on niodev they never return once
   * a peer has died (niodev stops receiving; its waits ignore interrupts). At half the deadline
   * the watch logs the stall report, as every other wait does. When the deadline passes, or
   * niodev's receiving thread has ended (naming the peers whose connections closed first), the
   * rank gives up: on multicore, whose waits end when interrupted, the calling thread is
   * interrupted and the call throws; on the other devices the watch ends the process through
   * {@link Mpj#whenStuck}, after the rank's failure is recorded. The call itself stays on the
   * calling thread: MPJ's multicore and hybdev devices tell their ranks apart by their threads.
   */
  private final class InFlight {
    private final Thread caller = Thread.currentThread();
    private final long start = System.nanoTime();
    private final String what;
    private boolean stallReported;
    private int state; // 0: running, 1: ended, 2: given up (guarded by this)
    private PeerLostException why;

    InFlight(String what) {
      this.what = what;
      CollectiveWatch.CALLS.add(this);
    }

    /** Looks at the call once (the watch's thread); gives up on it when it must. */
    void check(long now) {
      PeerLostException lost;
      synchronized (this) {
        if (state != 0) {
          return;
        }
        long waited = now - start;
        if (receiver != null && receiver.stopped()) {
          lost = cutOff("seen while it waited in " + what + " on communicator '" + name + "'",
              true);
        } else if (waited > deadlineNanos) {
          lost = new PeerTimeoutException(name, worldRanks[rank], -1, what,
              deadlineNanos / 1e9, closedNote());
        } else {
          if (!stallReported && waited > deadlineNanos / 2) {
            stallReported = true;
            StallReport.log(StallReport.message(worldRanks[rank], -1, what, name,
                "MPJ's own collective", waited, deadlineNanos));
          }
          return;
        }
        state = 2;
        why = lost;
        if (interruptible) {
          caller.interrupt(); // the call throws; givenUp() then says why
          return;
        }
      }
      Mpj.stuck(worldRanks[rank], lost); // ends the process
    }

    /** Why the call was given up on (it was interrupted), or null. */
    synchronized PeerLostException givenUp() {
      return state == 2 ? why : null;
    }

    /** The call returned or threw: the watch lets it go, and a late interrupt is cleared. */
    void end() {
      CollectiveWatch.CALLS.remove(this);
      boolean interrupted;
      synchronized (this) {
        interrupted = state == 2;
        state = interrupted ? 2 : 1;
      }
      if (interrupted && interruptible) {
        Thread.interrupted(); // delivered as the call returned: not this thread's to keep
      }
    }
  }

  /** The thread that looks at every {@link InFlight} call of this process, every 20 ms. */
  private static final class CollectiveWatch {
    static final Set<InFlight> CALLS = ConcurrentHashMap.newKeySet();
    private static final long PERIOD_MILLIS = 20;

    static {
      Thread t = new Thread(() -> {
        while (true) {
          try {
            Thread.sleep(PERIOD_MILLIS);
          } catch (InterruptedException e) {
            return;
          }
          long now = System.nanoTime();
          for (InFlight c : CALLS) {
            try {
              c.check(now);
            } catch (RuntimeException e) { // keep watching the others (and this one, next time)
              StallReport.LOG.warn("watching {}: {}", c.what, e.toString());
            }
          }
        }
      }, "mpj-collective-watch");
      t.setDaemon(true);
      t.start();
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
    // MPJ's Split cannot time out: a barrier with a deadline first makes sure every peer is
    // alive, and the call is watched like MPJ's Allreduce (InFlight).
    barrier("before split into '" + newName + "'");
    Intracomm sub = watched("MPJ's own Split into '" + newName + "'",
        () -> comm.Split(color, key), e -> e instanceof MPIException
            ? new CommException("MPJ could not split communicator '" + name + "'", e) : e);
    MpjCommunicator tmp = new MpjCommunicator(sub, newName, new int[sizeOf(sub)], deadlineNanos,
        pairTurns, receiver, interruptible);
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

  /** The world communicator of a job on MPJ device {@code device}. */
  static MpjCommunicator world(long deadlineNanos, String device) {
    try {
      int n = MPI.COMM_WORLD.Size();
      int[] ids = new int[n];
      for (int i = 0; i < n; i++) {
        ids[i] = i;
      }
      boolean overNiodev = Mpj.overNiodev(device);
      return new MpjCommunicator(MPI.COMM_WORLD, "world", ids, deadlineNanos, overNiodev,
          overNiodev ? NiodevReceiver.ofThisRank() : null, "multicore".equals(device));
    } catch (MPIException e) {
      throw new CommException("MPJ could not report the size of COMM_WORLD", e);
    }
  }

  /** The MPJ communicator, for the reference collectives that wrap MPJ's own algorithms. */
  public Intracomm mpj() {
    return comm;
  }
}
