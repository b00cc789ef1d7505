package org.pscreen2vec.collective;

import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.comm.Communicator;

/**
 * The one-way bandwidth ceiling of a benchmark: rank 0 sends the buffer to rank 1, which
 * acknowledges with one float; other ranks idle. After a call rank 1 holds rank 0's input.
 */
public final class PointToPoint implements Collective {
  private static final int TAG = 960;

  private final Communicator comm;
  private final float[] ack = new float[1];

  /** Needs at least 2 ranks. */
  public PointToPoint(Communicator comm) {
    if (comm.size() < 2) {
      throw new IllegalArgumentException("point-to-point needs 2 ranks, the communicator has "
          + comm.size());
    }
    this.comm = comm;
  }

  @Override
  public String name() {
    return "p2p";
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
