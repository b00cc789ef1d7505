package org.pscreen2vec.comm;

/** A peer did not answer within the deadline: it is dead, hung, or far slower than expected. */
public final class PeerTimeoutException extends PeerLostException {
  private static final long serialVersionUID = 1L;

  public PeerTimeoutException(String communicator, int myWorldRank, int peerWorldRank, String what,
      double waitedSeconds) {
    this(communicator, myWorldRank, peerWorldRank, what, waitedSeconds, "");
  }

  /** As above, with {@code note} (what else the rank knows, or empty) after the message. */
  public PeerTimeoutException(String communicator, int myWorldRank, int peerWorldRank, String what,
      double waitedSeconds, String note) {
    super(String.format(
        "rank %d gave up after %.1f s waiting for %s (%s on communicator '%s'): "
            + "the peer is dead, hung or far slower than expected "
            + "(raise --deadline if it is only slow)%s",
        myWorldRank, waitedSeconds, peerWorldRank < 0 ? "any rank" : "rank " + peerWorldRank,
        what, communicator, note), peerWorldRank, null);
  }
}
