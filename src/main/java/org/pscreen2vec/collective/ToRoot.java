package org.pscreen2vec.collective;

import org.pscreen2vec.comm.Communicator;

/**
 * Small reports (error counts, result hashes, timings as float bits) from every rank to rank 0 over plain
 * point-to-point messages with deadlines — deliberately not through the allreduce algorithms that
 * the reports are about.
 */
public final class ToRoot {
  private ToRoot() {}

  /** On rank 0: row q holds rank q's values; on other ranks: null. */
  public static int[][] gather(Communicator comm, int[] mine, int tag) {
    if (comm.rank() != 0) {
      comm.send(mine, 0, mine.length, 0, tag);
      return null;
    }
    int[][] all = new int[comm.size()][];
    all[0] = mine;
    for (int q = 1; q < comm.size(); q++) {
      all[q] = new int[mine.length];
      comm.recv(all[q], 0, mine.length, q, tag);
    }
    return all;
  }
}
