package org.pscreen2vec.train;

import org.pscreen2vec.comm.Communicator;

/**
 * What the workers decide together once per step, before synchronizing: whether to stop (a
 * SIGTERM reached any of them), whether any found a non-finite loss or gradient, and, every K
 * steps, whether their parameters still have the same checksum. Every worker sends 6 ints to
 * worker 0, which answers all with the verdict, so all stop after the same step or fail at the
 * same step with the same message. Used for deterministic strategies only (ASP/SSP workers must
 * not be held in step).
 */
final class StepAgreement {
  private static final int TAG_UP = 720;
  private static final int TAG_DOWN = 721;

  /** The decision every worker receives. */
  record Verdict(boolean stop, int nanWorker, int nanCode, int mismatchWorker, long rootSum,
      long otherSum) {
    static final Verdict CONTINUE = new Verdict(false, -1, Guards.NONE, -1, 0, 0);
  }

  private final Communicator workers; // null or size 1: decide alone

  StepAgreement(Communicator workers) {
    this.workers = workers;
  }

  /**
   * @param nanCode {@link Guards#check}'s result on this worker
   * @param withSum whether {@code sum} is this step's parameter checksum (the same on all)
   */
  Verdict agree(long step, boolean stop, int nanCode, boolean withSum, long sum) {
    int me = workers == null ? 0 : workers.rank();
    int size = workers == null ? 1 : workers.size();
    int[] mine = {(stop ? 1 : 0) | (nanCode != Guards.NONE ? 2 : 0) | (withSum ? 4 : 0), nanCode,
        (int) (sum >>> 32), (int) sum, (int) step, 0};
    if (size == 1) {
      return new Verdict(stop, nanCode != Guards.NONE ? 0 : -1, nanCode, -1, sum, sum);
    }
    int[] v = new int[6];
    if (me != 0) {
      workers.send(mine, 0, 6, 0, TAG_UP);
      workers.recv(v, 0, 6, 0, TAG_DOWN);
      return new Verdict(v[0] != 0, v[1], v[2], v[3], 0, 0);
    }
    boolean anyStop = stop;
    int nanWorker = nanCode != Guards.NONE ? 0 : -1;
    int code = nanCode;
    int mismatch = -1;
    long other = sum;
    int[] in = new int[6];
    for (int w = 1; w < size; w++) {
      workers.recv(in, 0, 6, w, TAG_UP);
      if (in[4] != (int) step) {
        throw new IllegalStateException("worker " + w + " is at step " + in[4] + ", worker 0 at "
            + step + " (the workers are out of step)");
      }
      anyStop |= (in[0] & 1) != 0;
      if ((in[0] & 2) != 0 && nanWorker < 0) {
        nanWorker = w;
        code = in[1];
      }
      long s = ((long) in[2] << 32) | (in[3] & 0xFFFFFFFFL);
      if (withSum && (in[0] & 4) != 0 && s != sum && mismatch < 0) {
        mismatch = w;
        other = s;
      }
    }
    int[] out = {anyStop ? 1 : 0, nanWorker, code, mismatch, 0, 0};
    for (int w = 1; w < size; w++) {
      workers.send(out, 0, 6, w, TAG_DOWN);
    }
    return new Verdict(anyStop, nanWorker, code, mismatch, sum, other);
  }
}
