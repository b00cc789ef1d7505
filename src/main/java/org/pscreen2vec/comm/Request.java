package org.pscreen2vec.comm;

/** An outstanding non-blocking send or receive. */
public interface Request {
  /** True once the operation is complete; never blocks. */
  boolean test();

  /**
   * Waits for completion, at most the communicator's deadline.
   *
   * @param what what the caller was doing, for the error message ("ring step 3 receive")
   * @return the number of elements received (for sends: the number sent)
   * @throws PeerTimeoutException when the deadline passes first
   */
  int await(String what);

  /** The rank (in the communicator that made the request) at the other end, as posted. */
  int peer();

  /** For a completed receive: the rank the message came from (resolves ANY_SOURCE). */
  int source();
}
