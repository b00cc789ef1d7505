package org.pscreen2vec.cost;

import java.util.ArrayList;
import java.util.List;

/**
 * Alpha-beta-gamma time of each synchronization algorithm, as the project implements it, on p
 * ranks with one rank per node. An algorithm is a sequence of phases; in a phase some messages
 * run at once, and the phase takes
 * {@code messages * alpha + max(portBytes * beta + copyBytes * gamma, totalBytes / switch) +
 * workBytes * gamma}: the busiest port (one direction; ports are full duplex) or the switch,
 * whichever binds, then the local reduction the busiest rank does before it can go on (gamma:
 * seconds per byte of {@code a += b}; the copies every message makes are part of beta, fitted to
 * point-to-point, except those a lockstep round exposes, copyBytes, which the port waits for
 * and the switch's fitted rate already holds).
 *
 * <ul>
 *   <li>ring: reduce-scatter + all-gather, 2(p-1) steps of n/p per port:
 *       2(p-1) alpha + 2(p-1)/p n beta (per segment of the pipeline one alpha more); each
 *       reduce-scatter step exposes the reduction of its last segment (the others overlap the
 *       wire): (p-1) min(n/p, segment) gamma. A step of one rendezvous segment, and on 2 ranks
 *       every step (one peer both ways: lockstep rounds of one segment each way), pipelines
 *       nothing: per rendezvous segment its handshake and its copies in and out of MPJ's buffers
 *       are exposed (alpha + 2 segment gamma more), and a reduce-scatter step's whole sum.
 *   <li>naive (basic, all-to-all, pairwise rounds): per segment p-1 rounds of the segment per
 *       port, then every rank sums the p-1 segments it received: (p-1)(alpha + n beta + n gamma);
 *       a round ends both its messages before the next, so with rendezvous segments each exposes
 *       its handshake and its copies: (p-1)(alpha per segment + 2 n gamma) more.
 *   <li>star: rank 0's port takes (p-1) n in from p-1 senders at once, rank 0 sums them, then
 *       sends (p-1) n out alone: max(n beta, (p-1) n wire) + (p-1) n beta + (p-1) n gamma, which
 *       is 2 (p-1) n beta + (p-1) n gamma where the wire sets beta. The root sums while the
 *       others wait: its gamma is that of one rank reducing ({@link Network#gammaFor}), which on
 *       one host shared by the ranks is less than the job's.
 *   <li>mpj (MPJ Express's Allreduce = its MST Reduce to rank 0, then Bcast): 2 ceil(log2 p)
 *       (alpha + n beta), a reduction of n per reduce level (by that level's receivers only),
 *       and the two copies our wrapper makes (in and out of MPJ's arrays): (ceil(log2 p) + 2) n
 *       gamma.
 *   <li>ps (S servers): the rows pulled table by table, then the push, then the answer; a
 *       worker's port carries d + r each way, a server's p (d + r) / S, with d the dense bytes
 *       and r the bytes of the rows a worker touched (ids and values); a server sums what the p
 *       workers pushed: p (d + r) / S gamma ({@link #servers}).
 *   <li>hybrid: the rows pulled as in ps; after backward the rows' push, the servers' work on
 *       them and their acknowledgement run behind the ring over the dense bytes, so the longer
 *       of the two counts ({@link StepCost#hybridExchangeSeconds}).
 * </ul>
 */
public final class SyncCost {
  private SyncCost() {}

  /**
   * Messages running at once, the busiest port's bytes (one direction), all bytes moved, the
   * bytes the busiest rank reduces locally after the messages (serialized with the wire), the
   * most bytes one sender puts through the busiest port, the bytes of the copies into and out
   * of MPJ's buffers that the phase does not hide behind the wire (lockstep rounds), and how many
   * ranks make the reduction at once while the others wait ({@code reducers}; 0: every rank).
   */
  public record Phase(double messages, double portBytes, double totalBytes, double workBytes,
      double flowBytes, double copyBytes, int reducers) {
    /** A phase in which every rank reduces its {@code workBytes} at once. */
    public Phase(double messages, double portBytes, double totalBytes, double workBytes,
        double flowBytes, double copyBytes) {
      this(messages, portBytes, totalBytes, workBytes, flowBytes, copyBytes, 0);
    }

    /** A phase with no local reduction. */
    public Phase(double messages, double portBytes, double totalBytes) {
      this(messages, portBytes, totalBytes, 0);
    }

    /** A phase whose busiest port carries one sender's bytes ({@code flowBytes = portBytes}). */
    public Phase(double messages, double portBytes, double totalBytes, double workBytes) {
      this(messages, portBytes, totalBytes, workBytes, portBytes);
    }

    /** A phase whose copies are hidden behind the wire (pipelined segments, eager messages). */
    public Phase(double messages, double portBytes, double totalBytes, double workBytes,
        double flowBytes) {
      this(messages, portBytes, totalBytes, workBytes, flowBytes, 0);
    }

    /**
     * {@code flowBytes}: the most bytes one sender puts through the busiest port. Beta (a
     * message's rate, fitted to one flow) applies to them, the wire's time to all the port's
     * bytes: where the senders' copies set a message's rate, p-1 senders into one port (star's
     * gather) share the wire, not the copies. Exposed copies ({@code copyBytes}, at gamma) add
     * to the port's time, when the port waits for them, but not to the switch's: a switch rate
     * is fitted to rings whose copies are in their measured time (Calibration.switchRate), and on
     * one host that "switch" is the cores that make those copies.
     */
    double seconds(Network net) {
      double port = Math.max(flowBytes * net.betaSecondsPerByte(),
          portBytes * net.wireSecondsPerByte()) + copyBytes * net.gammaSecondsPerByte();
      double wire = Math.max(port, totalBytes / net.switchBytesPerSecond());
      return messages * net.alphaSeconds() + wire + workBytes * net.gammaFor(reducers);
    }
  }

  public static double seconds(List<Phase> phases, Network net) {
    double t = 0;
    for (Phase ph : phases) {
      t += ph.seconds(net);
    }
    return t;
  }

  /** Segments a pipelined buffer of {@code bytes} has with segments of {@code segmentBytes}. */
  private static double segments(double bytes, double segmentBytes) {
    return segmentBytes <= 0 ? 1 : Math.max(1, Math.ceil(bytes / segmentBytes));
  }

  public static List<Phase> ring(int p, double n, double segmentBytes) {
    List<Phase> out = new ArrayList<>();
    if (p < 2 || n <= 0) {
      return out;
    }
    double chunk = n / p;
    double segs = segments(chunk, segmentBytes);
    double exposed = segmentBytes <= 0 ? chunk : Math.min(chunk, segmentBytes);
    // a step whose chunk is one segment has nothing to pipeline, and neither has any step on 2
    // ranks, where the left and right neighbour are one rank and the ring goes in lockstep
    // rounds over niodev (one segment each way at once, both ended before the next:
    // RingAllreduce.inRounds). A rendezvous round's handshake (request, then the peer's ACK) and
    // the copies into and out of MPJ's buffers, which all ranks make at once on the host's
    // cores, are not hidden behind another segment's wire time: one alpha and two passes over
    // the segment more; and a reduce-scatter step's whole sum comes after its wire time
    boolean lockstep = p == 2 || segs == 1;
    boolean rendezvous = lockstep && exposed > EAGER_BYTES;
    double messages = segs * (rendezvous ? 2 : 1);
    double copies = rendezvous ? 2 * chunk : 0;
    double sum = lockstep ? chunk : exposed;
    for (int s = 0; s < 2 * (p - 1); s++) {
      out.add(new Phase(messages, chunk, p * chunk, s < p - 1 ? sum : 0, chunk, copies));
    }
    return out;
  }

  /** Messages up to this size go eagerly in MPJ Express (its protocol switch limit, 128 KiB). */
  static final double EAGER_BYTES = 128 << 10;

  public static List<Phase> naive(int p, double n, double segmentBytes) {
    List<Phase> out = new ArrayList<>();
    if (p < 2 || n <= 0) {
      return out;
    }
    double seg = segmentBytes <= 0 ? n : Math.min(n, segmentBytes);
    // a round sends one segment and receives one (the send posted first, so where both partners
    // are one rank, 2k = p, the two directions cross at once) and ends both before the next: as
    // in the ring's lockstep rounds, a rendezvous segment's handshake and its copies into and
    // out of MPJ's buffers are not hidden behind another segment
    boolean rendezvous = seg > EAGER_BYTES;
    double segs = segments(n, segmentBytes);
    for (int k = 1; k < p; k++) {
      // round k: send to r+k, receive from r-k; then the sum of what arrived
      out.add(new Phase(segs * (rendezvous ? 2 : 1), n, (double) p * n, n, n,
          rendezvous ? 2 * n : 0));
    }
    return out;
  }

  public static List<Phase> star(int p, double n, double segmentBytes) {
    List<Phase> out = new ArrayList<>();
    if (p < 2 || n <= 0) {
      return out;
    }
    double segs = segments(n, segmentBytes);
    // gather: p-1 ranks send to rank 0 at once (its receives are all posted), each its n; then
    // rank 0 sums them, alone: the others wait for its answer
    out.add(new Phase(segs, (p - 1) * n, (p - 1) * n, (p - 1) * n, n, 0, 1));
    // results back: rank 0 alone sends all p-1 copies
    out.add(new Phase(segs, (p - 1) * n, (p - 1) * n));
    return out;
  }

  public static List<Phase> mpjTree(int p, double n) {
    List<Phase> out = new ArrayList<>();
    if (p < 2 || n <= 0) {
      return out;
    }
    List<Phase> reduce = new ArrayList<>();
    for (int half = 1; half < p; half *= 2) {
      int pairs = 0;
      for (int r = 0; r < p; r++) {
        if (r % (2 * half) == half) {
          pairs++;
        }
      }
      // the receivers reduce what they got, while the senders wait for the broadcast
      reduce.add(new Phase(1, n, pairs * n, n, n, 0, pairs));
    }
    out.add(new Phase(0, 0, 0, n)); // our copy into MPJ's input array
    out.addAll(reduce);
    for (int i = reduce.size() - 1; i >= 0; i--) {
      Phase r = reduce.get(i); // the broadcast mirrors the reduction, without reducing
      out.add(new Phase(r.messages(), r.portBytes(), r.totalBytes()));
    }
    out.add(new Phase(0, 0, 0, n)); // and back out of MPJ's output array
    return out;
  }

  /**
   * Through S servers, message by message as {@code sync.PsSync} and {@code ps.PsClient} do it
   * each step (per worker: {@code denseBytes} of dense gradients, {@code rowBytes} of touched
   * rows, ids and values, in {@code tables} tables):
   * <ol>
   *   <li>the pull of the rows the batch needs, table after table, each awaited before the next:
   *       a request with the ids, then the rows back (a rendezvous more where they are over
   *       MPJ's eager limit);
   *   <li>the push of every table's row gradients and of the dense gradients, all at once, which
   *       a server sums ({@code serverSums}; without it the caller counts the servers' whole work
   *       itself: {@link ServerCost});
   *   <li>the servers' answers when their round is done: the dense parameters (ps), or an
   *       acknowledgement (rows only: hybrid).
   * </ol>
   * A worker talks to every server at once; a server's port carries all p workers' share of it.
   * Until 2026-12-05 the model had one push and one pull of everything, two messages a step.
   * With Screen2Vec's one table that is 4 fewer than hybrid's step sends and 5 fewer than ps's:
   * about 5 ms at the emulated 10 Gbit/s calibrations' alpha, where hybrid's predicted sync was
   * short in 41 of 42 cells under seven calibrations, by up to 21 % (docs/NETWORK.md, round 13).
   * For hybrid those messages proved to run behind its dense ring (round 17): what was short
   * there is the ring.
   */
  public static List<Phase> servers(int p, int s, int tables, double denseBytes, double rowBytes,
      boolean serverSums) {
    List<Phase> out = new ArrayList<>(rowPull(p, s, tables, rowBytes));
    out.addAll(pushAndAnswer(p, s, denseBytes, rowBytes, serverSums));
    return out;
  }

  /**
   * The first part of {@link #servers}: the pull of the rows the batch needs, table after table,
   * each awaited before the next (nothing where there are no rows).
   */
  public static List<Phase> rowPull(int p, int s, int tables, double rowBytes) {
    if (p < 1 || s < 1 || rowBytes <= 0 || tables <= 0) {
      return List.of();
    }
    double handshake = rowBytes / s > EAGER_BYTES ? 1 : 0;
    return List.of(new Phase(s * (2.0 * tables + handshake), Math.max(rowBytes,
        p * rowBytes / s), p * rowBytes));
  }

  /**
   * The rest of {@link #servers}: the push of the rows and the dense gradients, which the
   * servers sum where {@code serverSums}, and their answers.
   */
  public static List<Phase> pushAndAnswer(int p, int s, double denseBytes, double rowBytes,
      boolean serverSums) {
    double pushed = denseBytes + rowBytes;
    if (p < 1 || s < 1 || pushed <= 0) {
      return List.of();
    }
    double pushHandshake = Math.max(denseBytes, rowBytes) / s > EAGER_BYTES ? 1 : 0;
    double answerHandshake = denseBytes / s > EAGER_BYTES ? 1 : 0;
    return List.of(
        new Phase(s * (1 + pushHandshake), Math.max(pushed, p * pushed / s), p * pushed,
            serverSums ? p * pushed / s : 0, Math.max(pushed, p * pushed / s), 0, s),
        new Phase(s * (1 + answerHandshake), Math.max(denseBytes, p * denseBytes / s),
            p * denseBytes));
  }

  /** The allreduce algorithm by name (ring, naive, star, mpj). */
  public static List<Phase> allreduce(String algorithm, int p, double n, double segmentBytes) {
    return switch (algorithm) {
      case "ring" -> ring(p, n, segmentBytes);
      case "naive" -> naive(p, n, segmentBytes);
      case "star" -> star(p, n, segmentBytes);
      case "mpj" -> mpjTree(p, n);
      default -> throw new IllegalArgumentException("no cost model for allreduce '" + algorithm
          + "'; known: ring, naive, star, mpj");
    };
  }
}
