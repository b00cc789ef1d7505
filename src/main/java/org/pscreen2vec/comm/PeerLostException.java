package org.pscreen2vec.comm;

/**
 * A peer rank is gone: its connection closed under a send or receive, or (subclass
 * {@link PeerTimeoutException}) it did not answer within the deadline. Exit status 3.
 */
public class PeerLostException extends CommException {
  private static final long serialVersionUID = 1L;
  private final int peerWorldRank;

  public PeerLostException(String message, int peerWorldRank, Throwable cause) {
    super(message, cause);
    this.peerWorldRank = peerWorldRank;
  }

  /** World rank of the peer that was lost (-1 for any source). */
  public int peerWorldRank() {
    return peerWorldRank;
  }
}
