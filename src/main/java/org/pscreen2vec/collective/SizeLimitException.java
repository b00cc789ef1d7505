package org.pscreen2vec.collective;

/**
 * An allreduce refused a message it is known to mishandle. Every rank of the communicator throws
 * it alike, before any message moves, so a caller may skip that size without desynchronizing.
 */
public final class SizeLimitException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public SizeLimitException(String message) {
    super(message);
  }
}
