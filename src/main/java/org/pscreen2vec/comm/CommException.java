package org.pscreen2vec.comm;

/** A failure in the communication layer (MPJ error, bad argument, lost peer). */
public class CommException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommException(String message) {
    super(message);
  }

  public CommException(String message, Throwable cause) {
    super(message, cause);
  }
}
