package org.pscreen2vec.comm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * {@link Communicator} for ranks that are threads of one JVM, so strategies, collectives and the
 * parameter server can be unit-tested in milliseconds. It keeps the MPJ communicator's contract:
 *
 * <ul>
 *   <li>a send copies the slice when it is posted (the sender may reuse its buffer at once); a
 *       send of up to {@link #DEFAULT_EAGER_BYTES} (MPJ niodev's eager limit) completes at once,
 *       a larger one only when a receive has matched it (rendezvous, as in MPJ), so code that
 *       would deadlock on MPJ deadlocks here too;</li>
 *   <li>MPI matching: per source and tag, messages arrive in the order they were sent;
 *       {@link #ANY_SOURCE} receives take the earliest matching message;</li>
 *   <li>every wait is bounded by {@link #deadlineNanos()} and ends in the same
 *       {@link PeerTimeoutException} (both world ranks, the operation, the communicator);</li>
 *   <li>a rank that left ({@link #close}, or its thread ended under {@link InProcessRanks}) makes
 *       its peers' sends and receives fail at once with {@link PeerLostException} naming it, as a
 *       closed MPJ connection does; messages it sent before leaving are still delivered. A receive
 *       from any source fails only when every other rank has left (else at the deadline).</li>
 * </ul>
 *
 * <p>Barrier, split and {@link #builtinAllreduceSum} are rendezvous of all members (no messages);
 * the builtin allreduce sums in rank order, so every rank gets the bitwise-identical result. A
 * timed-out request stays posted, as with MPJ (it is not cancelled).
 */
public final class InProcessCommunicator implements Communicator, AutoCloseable {
  /** MPJ Express niodev's eager limit: larger sends wait for the matching receive. */
  public static final int DEFAULT_EAGER_BYTES = 128 << 10;
  /** Default wait bound: long enough for a loaded 2-core test machine, short enough for a hang. */
  public static final long DEFAULT_DEADLINE_NANOS = 20_000_000_000L;

  private final InProcessGroup group;
  private final InProcessGroup.Fabric fabric;
  private final int rank;
  private final String name;
  private final long deadlineNanos;
  private long bytesSent;
  private long bytesReceived;

  private InProcessCommunicator(InProcessGroup group, int rank, String name, long deadlineNanos) {
    this.group = group;
    this.fabric = group.fabric;
    this.rank = rank;
    this.name = name;
    this.deadlineNanos = deadlineNanos;
  }

  /** The world communicators of an n-rank job (index = rank), default deadline and eager limit. */
  public static List<InProcessCommunicator> world(int n) {
    return world(n, DEFAULT_DEADLINE_NANOS, DEFAULT_EAGER_BYTES);
  }

  public static List<InProcessCommunicator> world(int n, long deadlineNanos) {
    return world(n, deadlineNanos, DEFAULT_EAGER_BYTES);
  }

  /** As {@link #world(int)}; sends above {@code eagerBytes} wait for their receive. */
  public static List<InProcessCommunicator> world(int n, long deadlineNanos, int eagerBytes) {
    if (n < 1) {
      throw new IllegalArgumentException("an in-process job needs at least one rank, got " + n);
    }
    if (deadlineNanos < 1 || eagerBytes < 0) {
      throw new IllegalArgumentException("deadline must be positive and the eager limit at least "
          + "0, got " + deadlineNanos + " ns and " + eagerBytes + " bytes");
    }
    int[] ids = new int[n];
    Arrays.setAll(ids, i -> i);
    InProcessGroup g = new InProcessGroup(new InProcessGroup.Fabric(n, eagerBytes), ids);
    List<InProcessCommunicator> out = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      out.add(new InProcessCommunicator(g, r, "world", deadlineNanos));
    }
    return List.copyOf(out);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int size() {
    return group.size();
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int worldRankOf(int r) {
    return group.worldRanks[r];
  }

  @Override
  public long deadlineNanos() {
    return deadlineNanos;
  }

  @Override
  public long bytesSent() {
    return bytesSent;
  }

  @Override
  public long bytesReceived() {
    return bytesReceived;
  }

  /** This rank leaves the job (as if its process ended): peers waiting on it fail at once. */
  @Override
  public void close() {
    fabric.lock.lock();
    try {
      fabric.gone[myWorld()] = true;
      fabric.wakeAll();
    } finally {
      fabric.lock.unlock();
    }
  }

  /** True once this rank has left. */
  public boolean hasLeft() {
    fabric.lock.lock();
    try {
      return fabric.gone[myWorld()];
    } finally {
      fabric.lock.unlock();
    }
  }

  @Override
  public Request isend(float[] buf, int offset, int count, int dest, int tag) {
    check(buf.length, offset, count, dest, tag, true);
    return send(Arrays.copyOfRange(buf, offset, offset + count), count, 4, "floats", dest, tag);
  }

  @Override
  public Request isend(int[] buf, int offset, int count, int dest, int tag) {
    check(buf.length, offset, count, dest, tag, true);
    return send(Arrays.copyOfRange(buf, offset, offset + count), count, 4, "ints", dest, tag);
  }

  @Override
  public Request isend(byte[] buf, int offset, int count, int dest, int tag) {
    check(buf.length, offset, count, dest, tag, true);
    return send(Arrays.copyOfRange(buf, offset, offset + count), count, 1, "bytes", dest, tag);
  }

  @Override
  public Request irecv(float[] buf, int offset, int count, int source, int tag) {
    check(buf.length, offset, count, source, tag, false);
    return recv(buf, offset, count, 4, "floats", source, tag);
  }

  @Override
  public Request irecvAdd(float[] buf, int offset, int count, int source, int tag) {
    check(buf.length, offset, count, source, tag, false);
    return recv(buf, offset, count, 4, "floats", source, tag, true);
  }

  @Override
  public Request irecv(int[] buf, int offset, int count, int source, int tag) {
    check(buf.length, offset, count, source, tag, false);
    return recv(buf, offset, count, 4, "ints", source, tag);
  }

  @Override
  public Request irecv(byte[] buf, int offset, int count, int source, int tag) {
    check(buf.length, offset, count, source, tag, false);
    return recv(buf, offset, count, 1, "bytes", source, tag);
  }

  /** The same argument checks and messages as {@link MpjCommunicator}. */
  private void check(int length, int offset, int count, int peer, int tag, boolean send) {
    if (offset < 0 || count < 0 || offset + count > length) {
      throw new IllegalArgumentException(String.format(
          "slice [%d, %d+%d) is outside a buffer of length %d", offset, offset, count, length));
    }
    if ((peer < 0 && !(peer == ANY_SOURCE && !send)) || peer >= size()) {
      throw new IllegalArgumentException(
          "peer " + peer + " is not a rank of communicator '" + name + "' (size " + size() + ")");
    }
    if (tag < 0 || tag > MAX_USER_TAG) {
      throw new IllegalArgumentException("tag " + tag + " is outside 0.." + MAX_USER_TAG);
    }
  }

  private Request send(Object copy, int count, int elemBytes, String type, int dest, int tag) {
    fabric.lock.lock();
    try {
      checkStillHere();
      Op op = new Op(true, dest, tag, count, elemBytes, type, null, 0, false);
      bytesSent += (long) count * elemBytes;
      if (group.gone(dest)) {
        op.failure = lost(dest, "send of " + count + " " + type);
        return op;
      }
      boolean eager = (long) count * elemBytes <= fabric.eagerBytes;
      op.message = new InProcessGroup.Message(rank, tag, copy, count, eager ? null : op);
      op.done = eager;
      group.deliver(dest, op.message);
      return op;
    } finally {
      fabric.lock.unlock();
    }
  }

  private Request recv(Object buf, int offset, int count, int elemBytes, String type, int source,
      int tag) {
    return recv(buf, offset, count, elemBytes, type, source, tag, false);
  }

  private Request recv(Object buf, int offset, int count, int elemBytes, String type, int source,
      int tag, boolean add) {
    fabric.lock.lock();
    try {
      checkStillHere();
      Op op = new Op(false, source, tag, count, elemBytes, type, buf, offset, add);
      group.post(rank, op);
      return op;
    } finally {
      fabric.lock.unlock();
    }
  }

  private void checkStillHere() {
    if (fabric.gone[myWorld()]) {
      throw new CommException("rank " + myWorld() + " has left the job; communicator '" + name
          + "' can no longer be used");
    }
  }

  private int myWorld() {
    return group.worldRanks[rank];
  }

  private String describe(int peer) {
    return peer == ANY_SOURCE ? "any rank" : "rank " + group.worldRanks[peer];
  }

  private PeerLostException lost(int peer, String what) {
    return new PeerLostException(String.format("rank %d lost %s on communicator '%s': %s failed "
        + "because the peer left (its communicator closed or its thread ended)", myWorld(),
        peer == ANY_SOURCE ? "every other rank" : describe(peer), name, what),
        peer == ANY_SOURCE ? -1 : group.worldRanks[peer], null);
  }

  /**
   * Waits on this rank's condition until {@code state} is DONE, at most the deadline. A
   * non-negative state is a member that left; ALL_OTHERS_GONE, every other member. Lock held.
   */
  private void await(String what, IntSupplier state, IntSupplier peer) {
    await(what, state, peer, null);
  }

  /** As above; {@code operation} (null: none) names the request in the stall report. */
  private void await(String what, IntSupplier state, IntSupplier peer, String operation) {
    long start = System.nanoTime();
    boolean reported = false;
    while (true) {
      int s = state.getAsInt();
      if (s == InProcessGroup.DONE) {
        return;
      }
      if (s != InProcessGroup.PENDING) {
        throw lost(s >= 0 ? s : ANY_SOURCE, what);
      }
      long left = deadlineNanos - (System.nanoTime() - start);
      if (left <= 0) {
        int p = peer.getAsInt();
        throw new PeerTimeoutException(name, myWorld(), p < 0 ? -1 : group.worldRanks[p], what,
            deadlineNanos / 1e9);
      }
      if (!reported && left < deadlineNanos / 2) {
        reported = true;
        int p = peer.getAsInt();
        StallReport.log(StallReport.message(myWorld(), p < 0 ? -1 : group.worldRanks[p],
            operation == null ? "a collective" : operation, name, what,
            System.nanoTime() - start, deadlineNanos));
      }
      try {
        // Wake at the halfway point too (for the stall report), then at the deadline.
        long halfway = left - deadlineNanos / 2;
        fabric.wake[myWorld()].awaitNanos(!reported && halfway > 0 ? halfway : left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommException("rank " + myWorld() + " was interrupted while waiting for "
            + what + " on communicator '" + name + "'", e);
      }
    }
  }

  /** An outstanding send or receive. Fields are guarded by the fabric's lock. */
  final class Op implements Request {
    private final boolean send;
    private final int peer; // group rank, or ANY_SOURCE
    private final int tag;
    private final int count;
    private final int elemBytes;
    private final String type;
    private final Object buf; // receive: destination array
    private final int offset;
    private final boolean add; // receive of floats: add into buf instead of storing (irecvAdd)
    InProcessGroup.Message message; // send: the copy in flight
    boolean done;
    CommException failure;
    private int got;
    private int source = -1;
    private boolean counted;

    Op(boolean send, int peer, int tag, int count, int elemBytes, String type, Object buf,
        int offset, boolean add) {
      this.send = send;
      this.peer = peer;
      this.tag = tag;
      this.count = count;
      this.elemBytes = elemBytes;
      this.type = type;
      this.buf = buf;
      this.offset = offset;
      this.add = add;
    }

    boolean matches(int src, int t) {
      return t == tag && (peer == ANY_SOURCE || peer == src);
    }

    /** A matching message arrived (any thread, lock held): copy it in and wake the receiver. */
    void complete(InProcessGroup.Message m) {
      source = m.source;
      if (m.data.getClass() != buf.getClass()) {
        failure = new CommException(String.format("rank %d received a message of %d elements "
            + "of another type from %s (tag %d) into a receive of %s on communicator '%s'",
            myWorld(), m.count, describe(m.source), tag, type, name));
      } else if (m.count > count) {
        failure = new CommException(String.format("rank %d received %d %s from %s (tag %d) into "
            + "a receive of only %d on communicator '%s' (message truncated)", myWorld(), m.count,
            type, describe(m.source), tag, count, name));
      } else {
        if (add) {
          float[] in = (float[]) m.data;
          float[] out = (float[]) buf;
          for (int i = 0; i < m.count; i++) {
            out[offset + i] += in[i];
          }
        } else {
          System.arraycopy(m.data, 0, buf, offset, m.count);
        }
        got = m.count;
      }
      done = true;
      fabric.wake[myWorld()].signalAll();
    }

    void completeSend() {
      done = true;
    }

    /** DONE, PENDING, the member that left, or ALL_OTHERS_GONE (any-source receives). */
    private int state() {
      if (failure != null) {
        throw failure;
      }
      if (done) {
        return InProcessGroup.DONE;
      }
      if (peer != ANY_SOURCE && group.gone(peer)) {
        if (send) {
          group.withdraw(peer, message);
        } else {
          group.withdraw(rank, this);
        }
        return peer;
      }
      if (peer == ANY_SOURCE && group.everyoneElseGone(rank)) {
        group.withdraw(rank, this);
        return InProcessGroup.ALL_OTHERS_GONE;
      }
      return InProcessGroup.PENDING;
    }

    private String what() {
      return (send ? "send of " : "receive of ") + count + " " + type + (send ? " to " : " from ")
          + describe(peer) + " (tag " + tag + ")";
    }

    @Override
    public boolean test() {
      fabric.lock.lock();
      try {
        int s = state();
        if (s != InProcessGroup.DONE && s != InProcessGroup.PENDING) {
          failure = lost(s >= 0 ? s : ANY_SOURCE, what());
          throw failure;
        }
        return s == InProcessGroup.DONE;
      } finally {
        fabric.lock.unlock();
      }
    }

    @Override
    public int await(String what) {
      fabric.lock.lock();
      try {
        try {
          InProcessCommunicator.this.await(what, this::state, () -> peer,
              (send ? "send of " : "receive of ") + (long) count * elemBytes + " bytes, tag "
                  + tag);
        } catch (PeerLostException e) {
          if (!(e instanceof PeerTimeoutException)) {
            failure = e;
          }
          throw e;
        }
        if (send) {
          return count;
        }
        if (!counted) {
          counted = true;
          bytesReceived += (long) got * elemBytes;
        }
        return got;
      } finally {
        fabric.lock.unlock();
      }
    }

    @Override
    public int peer() {
      return peer;
    }

    @Override
    public int source() {
      fabric.lock.lock();
      try {
        if (!done) {
          throw new IllegalStateException("source() of a request that has not completed");
        }
        return send || peer != ANY_SOURCE ? peer : source;
      } finally {
        fabric.lock.unlock();
      }
    }
  }

  /** Sums in rank order on every rank (a rendezvous; deadline-bounded like everything else). */
  @Override
  public void builtinAllreduceSum(float[] src, float[] dst, int count) {
    if (count < 0 || count > src.length || count > dst.length || src == dst) {
      throw new IllegalArgumentException("builtin allreduce needs two distinct arrays of at least "
          + count + " floats");
    }
    float[] sum = (float[]) collective("builtin allreduce of " + count + " floats", "allreduce",
        Arrays.copyOf(src, count), in -> {
          float[] acc = ((float[]) in[0]).clone();
          for (int r = 1; r < in.length; r++) {
            float[] x = (float[]) in[r];
            if (x.length != acc.length) {
              return new CommException("builtin allreduce on communicator '" + name + "': ranks "
                  + "passed different counts (" + acc.length + " and " + x.length + ")");
            }
            for (int i = 0; i < acc.length; i++) {
              acc[i] += x[i];
            }
          }
          return acc;
        });
    System.arraycopy(sum, 0, dst, 0, count);
    bytesSent += 4L * count;
    bytesReceived += 4L * count;
  }

  @Override
  public void barrier(String what) {
    collective("barrier '" + what + "'", "barrier", Boolean.TRUE, in -> Boolean.TRUE);
  }

  @Override
  public Communicator split(int color, int key, String newName) {
    if (color < 0) {
      throw new IllegalArgumentException("split color must be 0 or more, got " + color);
    }
    @SuppressWarnings("unchecked")
    Map<Integer, InProcessGroup> groups = (Map<Integer, InProcessGroup>) collective(
        "split into '" + newName + "'", "split", new int[] {color, key}, this::groups);
    InProcessGroup g = groups.get(color);
    int me = 0;
    while (g.worldRanks[me] != myWorld()) {
      me++;
    }
    return new InProcessCommunicator(g, me, newName, deadlineNanos);
  }

  /** Split: members of each color ordered by (key, old rank). */
  private Object groups(Object[] in) {
    Map<Integer, List<Integer>> byColor = new HashMap<>();
    for (int r = 0; r < in.length; r++) {
      byColor.computeIfAbsent(((int[]) in[r])[0], c -> new ArrayList<>()).add(r);
    }
    Map<Integer, InProcessGroup> out = new HashMap<>();
    byColor.forEach((c, members) -> {
      members.sort(Comparator.<Integer>comparingInt(r -> ((int[]) in[r])[1])
          .thenComparingInt(r -> r));
      out.put(c, new InProcessGroup(fabric,
          members.stream().mapToInt(r -> group.worldRanks[r]).toArray()));
    });
    return out;
  }

  private Object collective(String what, String kind, Object mine,
      java.util.function.Function<Object[], Object> combine) {
    fabric.lock.lock();
    try {
      checkStillHere();
      Object result = group.collective(rank, kind, mine, combine,
          (state, missing) -> await(what, state, missing));
      if (result instanceof CommException e) {
        throw e;
      }
      return result;
    } finally {
      fabric.lock.unlock();
    }
  }

  /** For logs: "world rank 2 (rank 1 of 'workers')". */
  @Override
  public String toString() {
    return "world rank " + myWorld() + " (rank " + rank + " of '" + name + "', in-process, "
        + TimeUnit.NANOSECONDS.toMillis(deadlineNanos) + " ms deadline)";
  }
}
