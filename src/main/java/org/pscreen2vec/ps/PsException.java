package org.pscreen2vec.ps;

/** A parameter server rejected a request, or the protocol broke. */
public final class PsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PsException(String message) {
    super(message);
  }
}
