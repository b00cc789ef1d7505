package org.pscreen2vec.comm;

/**
 * A group of ranks that exchange point-to-point messages, every wait bounded by a deadline.
 *
 * <p>This is the only view of MPI the rest of the program has (see {@link MpjCommunicator}). Buffers
 * are slices of Java arrays ({@code buf[offset .. offset+count)}). Every blocking call and every
 * {@link Request#await} gives up after {@link #deadlineNanos()} with a {@link PeerTimeoutException}
 * naming the peer and the operation, so a dead rank turns into an error instead of a hang.
 *
 * <p>Tags: callers use tags in {@code [0, MAX_USER_TAG]}; larger tags are reserved for the
 * communicator's own protocols (barrier, split).
 */
public interface Communicator {
  /** Largest tag callers may use; tags above are reserved for internal protocols. */
  int MAX_USER_TAG = (1 << 20) - 1;
  /** Source for receives that accept a message from any rank; {@link Request#source} tells which. */
  int ANY_SOURCE = -1;

  int rank();

  int size();

  /** A short name used in error messages and logs, e.g. "world" or "workers". */
  String name();

  /** The rank of this communicator's rank {@code r} in the world communicator. */
  int worldRankOf(int r);

  /** How long any single wait may last before the peer is declared lost. */
  long deadlineNanos();

  Request isend(float[] buf, int offset, int count, int dest, int tag);

  Request isend(int[] buf, int offset, int count, int dest, int tag);

  Request isend(byte[] buf, int offset, int count, int dest, int tag);

  Request irecv(float[] buf, int offset, int count, int source, int tag);

  Request irecv(int[] buf, int offset, int count, int source, int tag);

  Request irecv(byte[] buf, int offset, int count, int source, int tag);

  /**
   * A receive of floats that adds them into the slice when it completes ({@code buf[offset + i]
   * += incoming[i]} for the elements that arrived; the rest of the slice is unchanged), where
   * {@link #irecv(float[], int, int, int, int)} would store them. Each element is the same single
   * float addition as receiving into a scratch array and adding that, so results are bitwise
   * equal; a transport can add straight out of the buffer the message arrived in and save the
   * scratch copy (a reduction's receive, e.g. the ring's reduce-scatter). The slice must not be
   * read or written by the caller until the request has been awaited.
   */
  Request irecvAdd(float[] buf, int offset, int count, int source, int tag);

  /**
   * Whether two large messages that two ranks send each other at the same time can move one after
   * the other instead of both ways at once. True for MPJ Express's TCP devices (niodev, hybdev):
   * niodev writes a large (rendezvous) message's data while holding the socket's write lock, and
   * a rank needs that same lock to accept the peer's request to send, so a request that arrives
   * while the rank is writing waits until the write has ended. An exchange with one peer then
   * posts its send before its receive and keeps one of each in flight ({@code RingAllreduce} and
   * {@code NaiveAllreduce} on two ranks): each rank's request is on the socket before its
   * acceptance of the peer's request, so each rank accepts the other's request before its own
   * write can start, and both messages flow at once (docs/PERFORMANCE.md, "The wire, round 5").
   */
  default boolean pairedMessagesTakeTurns() {
    return false;
  }

  default void send(float[] buf, int offset, int count, int dest, int tag) {
    isend(buf, offset, count, dest, tag).await("send " + count + " floats");
  }

  default void send(int[] buf, int offset, int count, int dest, int tag) {
    isend(buf, offset, count, dest, tag).await("send " + count + " ints");
  }

  default void send(byte[] buf, int offset, int count, int dest, int tag) {
    isend(buf, offset, count, dest, tag).await("send " + count + " bytes");
  }

  /** Receives into the slice; returns the number of elements that arrived. */
  default int recv(float[] buf, int offset, int count, int source, int tag) {
    return irecv(buf, offset, count, source, tag).await("receive " + count + " floats");
  }

  default int recv(int[] buf, int offset, int count, int source, int tag) {
    return irecv(buf, offset, count, source, tag).await("receive " + count + " ints");
  }

  default int recv(byte[] buf, int offset, int count, int source, int tag) {
    return irecv(buf, offset, count, source, tag).await("receive " + count + " bytes");
  }

  /**
   * MPJ Express's own {@code Allreduce} (sum of floats), the reference point the project's
   * algorithms are measured against. {@code src} and {@code dst} are separate arrays used from
   * offset 0 (MPJ gives wrong results when send and receive offsets differ). It has no deadline of
   * its own: callers should pass a {@link #barrier} first so every peer is known to be alive.
   */
  void builtinAllreduceSum(float[] src, float[] dst, int count);

  /** Payload bytes this rank has posted for sending on this communicator (all tags). */
  long bytesSent();

  /** Payload bytes this rank has received on this communicator (all tags). */
  long bytesReceived();

  /** Every rank waits until all ranks of this communicator have arrived (dissemination barrier). */
  void barrier(String what);

  /** A communicator of the ranks passed the same {@code color}, ordered by {@code key}. Collective. */
  Communicator split(int color, int key, String name);
}
