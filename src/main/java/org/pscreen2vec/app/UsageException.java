package org.pscreen2vec.app;

/** A bad command line: reported with a pointer to --help and exit status 2. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
