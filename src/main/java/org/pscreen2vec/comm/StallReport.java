package org.pscreen2vec.comm;

import java.util.Locale;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The stall report (issue 14): when a rank has waited half its deadline for a peer, it logs once,
 * at WARN, what it waits for — peer, operation, tag, bytes, communicator — so that the slow or
 * stuck rank can be found in the logs before the deadline ends the job.
 */
final class StallReport {
  static final Logger LOG = LogManager.getLogger(StallReport.class);

  private StallReport() {}

  /**
   * "rank 2 has waited 1.5 s (half its 3.0 s deadline) for rank 5: receive of 4096 bytes, tag 7,
   * on communicator 'workers' (ring step 3 receive); still waiting".
   *
   * @param peerWorldRank -1 for any rank (or several)
   * @param operation what the request is ("receive of 4096 bytes, tag 7")
   * @param what what the caller was doing, as given to {@code await}
   */
  static String message(int myWorldRank, int peerWorldRank, String operation, String communicator,
      String what, long waitedNanos, long deadlineNanos) {
    return String.format(Locale.ROOT,
        "rank %d has waited %.1f s (half its %.1f s deadline) for %s: %s on communicator '%s' "
            + "(%s); still waiting", myWorldRank, waitedNanos / 1e9, deadlineNanos / 1e9,
        peerWorldRank < 0 ? "any rank" : "rank " + peerWorldRank, operation, communicator, what);
  }

  static void log(String message) {
    LOG.warn(message);
  }
}
