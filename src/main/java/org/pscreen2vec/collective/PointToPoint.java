package org.pscreen2vec.collective;

import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;

/**
 * The one-way bandwidth ceiling of a benchmark: rank 0 sends the buffer to rank 1, which
 * acknowledges with one float; other ranks idle. After a call rank 1 holds rank 0's input.
 *
 * <p>{@link #afterPause}: the same message as a training step meets it ("p2p-cold"). Back to
 * back, a receiver is still spinning when the next message comes and its code and data are in
 * cache; in a step a message follows tens of milliseconds of compute, the waiting thread has
 * parked and the caches hold activations. On emulated 10 Gbit/s (2026-12-05) a message under
 * 1 MiB took about 0.2 ms back to back and 1 ms and more after a pause, which is what the
 * parameter servers' request-and-reply messages took inside training steps (timeline).
 */
public final class PointToPoint implements Collective {
  private static final int TAG = 960;
  /** The pause before each call of a p2p-cold row: an idle wait, then a pass over memory. */
  static final long PAUSE_MS = 20;
  static final int PAUSE_TOUCH_FLOATS = 8 << 20; // 32 MiB: more than this host's caches

  private final Communicator comm;
  private final float[] ack = new float[1];
  private final boolean pause;
  private float[] touch = new float[0]; // read and written: a store the JIT must keep

  /** Needs at least 2 ranks. */
  public PointToPoint(Communicator comm) {
    this(comm, false);
  }

  private PointToPoint(Communicator comm, boolean pause) {
    if (comm.size() < 2) {
      throw new IllegalArgumentException("point-to-point needs 2 ranks, the communicator has "
          + comm.size());
    }
    this.comm = comm;
    this.pause = pause;
  }

  /**
   * A point-to-point row whose calls each follow a pause on every rank: {@value #PAUSE_MS} ms
   * idle, then a pass over 32 MiB (bench-collectives --cold-p2p; the cost model's alpha).
   */
  public static PointToPoint afterPause(Communicator comm) {
    return new PointToPoint(comm, true);
  }

  @Override
  public String name() {
    return pause ? "p2p-cold" : "p2p";
  }

  @Override
  public void init(float[] buf, int count, Inputs inputs, int rank) {
    Collective.super.init(buf, count, inputs, rank);
    if (!pause) {
      return;
    }
    try {
      Thread.sleep(PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (touch.length == 0) {
      touch = new float[PAUSE_TOUCH_FLOATS];
    }
    for (int i = 0; i < touch.length; i++) {
      touch[i] += 1f;
    }
  }

  @Override
  public int ranks() {
    return 2;
  }

  @Override
  public double busBwFactor() {
    return 1;
  }

  @Override
  public int[] sources(int rank) {
    return new int[] {rank == 1 ? 0 : rank};
  }

  @Override
  public boolean sameOnEveryRank() {
    return false;
  }

  @Override
  public boolean timedAtRankZero() {
    return true;
  }

  @Override
  public void run(float[] buf, int count, Op op) {
    if (comm.rank() == 0) {
      comm.send(buf, 0, count, 1, TAG);
      comm.recv(ack, 0, 1, 1, TAG + 1);
    } else if (comm.rank() == 1) {
      comm.recv(buf, 0, count, 0, TAG);
      comm.send(ack, 0, 1, 0, TAG + 1);
    }
  }
}
