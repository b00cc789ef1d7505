package org.pscreen2vec.comm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntSupplier;

/**
 * The shared half of {@link InProcessCommunicator}: the members of one communicator, their
 * mailboxes and the collective rounds in progress. Everything is guarded by the job's one lock
 * ({@link Fabric}); a waiting rank sleeps on its own condition and is woken by whoever completes
 * its operation (or by a rank leaving).
 *
 * <p>Matching follows MPI: a message goes to the first posted receive (in posting order) whose
 * source and tag match, else it waits in arrival order for a later receive; so messages from one
 * source with one tag are received in the order they were sent (non-overtaking).
 */
final class InProcessGroup {
  /** Wait states: the operation finished; it is still pending; every other member has left. */
  static final int DONE = -2;
  static final int PENDING = -1;
  static final int ALL_OTHERS_GONE = -3;

  /** What all communicators of one in-process job share: the lock, wake-ups and who has left. */
  static final class Fabric {
    final ReentrantLock lock = new ReentrantLock();
    final Condition[] wake; // (world size) one per world rank
    final boolean[] gone; // (world size) the rank has left (closed, or its thread ended)
    final int eagerBytes;

    Fabric(int worldSize, int eagerBytes) {
      this.wake = new Condition[worldSize];
      for (int i = 0; i < worldSize; i++) {
        wake[i] = lock.newCondition();
      }
      this.gone = new boolean[worldSize];
      this.eagerBytes = eagerBytes;
    }

    void wakeAll() {
      for (Condition c : wake) {
        c.signalAll();
      }
    }
  }

  /** A message in flight: a private copy of the sender's slice. */
  static final class Message {
    final int source; // group rank
    final int tag;
    final Object data; // float[], int[] or byte[] of exactly the sent length
    final int count;
    final InProcessCommunicator.Op send; // completed when the message is matched

    Message(int source, int tag, Object data, int count, InProcessCommunicator.Op send) {
      this.source = source;
      this.tag = tag;
      this.data = data;
      this.count = count;
      this.send = send;
    }
  }

  /** Per member: messages nobody has asked for yet, and receives nobody has answered yet. */
  private static final class Mailbox {
    final List<Message> unexpected = new ArrayList<>(); // arrival order
    final List<InProcessCommunicator.Op> posted = new ArrayList<>(); // posting order
  }

  /** One barrier, split or builtin allreduce: every member's contribution, then one result. */
  private static final class Round {
    final String kind;
    final Object[] in; // (size) contribution of each member
    final boolean[] arrived;
    int arrivals;
    int departures;
    Object result;

    Round(String kind, int size) {
      this.kind = kind;
      this.in = new Object[size];
      this.arrived = new boolean[size];
    }
  }

  final Fabric fabric;
  final int[] worldRanks; // (size) world rank of each member
  private final Mailbox[] boxes; // (size)
  private final Map<Long, Round> rounds = new HashMap<>();
  private final long[] nextRound; // (size) collectives each member has entered

  InProcessGroup(Fabric fabric, int[] worldRanks) {
    this.fabric = fabric;
    this.worldRanks = worldRanks.clone();
    this.boxes = new Mailbox[worldRanks.length];
    for (int i = 0; i < boxes.length; i++) {
      boxes[i] = new Mailbox();
    }
    this.nextRound = new long[worldRanks.length];
  }

  int size() {
    return worldRanks.length;
  }

  boolean gone(int member) {
    return fabric.gone[worldRanks[member]];
  }

  /** True when every member but {@code me} has left. Lock held. */
  boolean everyoneElseGone(int me) {
    for (int r = 0; r < size(); r++) {
      if (r != me && !gone(r)) {
        return false;
      }
    }
    return size() > 1;
  }

  /** Hands a message to its destination: the first matching posted receive, else the queue. */
  void deliver(int dest, Message m) {
    Mailbox box = boxes[dest];
    for (Iterator<InProcessCommunicator.Op> it = box.posted.iterator(); it.hasNext(); ) {
      InProcessCommunicator.Op r = it.next();
      if (r.matches(m.source, m.tag)) {
        it.remove();
        r.complete(m);
        completeSend(m);
        return;
      }
    }
    box.unexpected.add(m);
  }

  /** Posts a receive of member {@code me}: the earliest matching queued message, else waits. */
  void post(int me, InProcessCommunicator.Op recv) {
    Mailbox box = boxes[me];
    for (Iterator<Message> it = box.unexpected.iterator(); it.hasNext(); ) {
      Message m = it.next();
      if (recv.matches(m.source, m.tag)) {
        it.remove();
        recv.complete(m);
        completeSend(m);
        return;
      }
    }
    box.posted.add(recv);
  }

  private void completeSend(Message m) {
    if (m.send != null) {
      m.send.completeSend();
      fabric.wake[worldRanks[m.source]].signalAll();
    }
  }

  /** Forgets a receive that failed (its peer left) so it cannot take a later message. */
  void withdraw(int me, InProcessCommunicator.Op recv) {
    boxes[me].posted.remove(recv);
  }

  /** Forgets an unmatched rendezvous message whose receiver left. */
  void withdraw(int dest, Message m) {
    boxes[dest].unexpected.remove(m);
  }

  /**
   * A collective of every member: contributes {@code mine}, waits (bounded) until all members
   * contributed, and returns {@code combine} of the contributions (computed once, by the last to
   * arrive). Lock held by the caller; {@code waiter} reports timeouts and lost members.
   */
  Object collective(int me, String kind, Object mine, Function<Object[], Object> combine,
      Waiter waiter) {
    long id = nextRound[me]++;
    Round round = rounds.computeIfAbsent(id, k -> new Round(kind, size()));
    if (!round.kind.equals(kind)) {
      throw new CommException(String.format("collectives out of step on rank %d: it entered "
          + "'%s' while another rank entered '%s' as collective number %d",
          worldRanks[me], kind, round.kind, id + 1));
    }
    round.in[me] = mine;
    round.arrived[me] = true;
    if (++round.arrivals == size()) {
      round.result = combine.apply(round.in);
      for (int r = 0; r < size(); r++) {
        fabric.wake[worldRanks[r]].signalAll();
      }
    }
    waiter.await(() -> {
      if (round.result != null) {
        return DONE;
      }
      for (int r = 0; r < size(); r++) {
        if (!round.arrived[r] && gone(r)) {
          return r;
        }
      }
      return PENDING;
    }, () -> firstMissing(round));
    Object result = round.result;
    if (++round.departures == size()) {
      rounds.remove(id);
    }
    return result;
  }

  private int firstMissing(Round round) {
    for (int r = 0; r < size(); r++) {
      if (!round.arrived[r]) {
        return r;
      }
    }
    return -1;
  }

  /** How a member waits for a collective round; implemented by its communicator. */
  interface Waiter {
    /**
     * Waits until {@code state} returns {@link #DONE}; a member index it returns has left. On
     * timeout, {@code missing} names the member waited for.
     */
    void await(IntSupplier state, IntSupplier missing);
  }
}
