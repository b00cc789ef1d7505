package org.pscreen2vec.app;

/** Exit statuses of {@code pscreen2vec}; the launcher returns the first failing rank's. */
public final class ExitCode {
  public static final int OK = 0;
  /** The work failed (an error was logged). */
  public static final int FAILED = 1;
  /** Unknown subcommand or option, or a bad option value; usage was printed. */
  public static final int USAGE = 2;
  /** A peer rank did not answer within the deadline. */
  public static final int PEER_LOST = 3;
  /** An input file is missing or malformed. */
  public static final int BAD_INPUT = 4;

  /**
   * Fault injection only: this rank ends silently, writing no status and not finalizing MPJ, as a
   * crashed rank would (its process is halted where ranks are processes).
   */
  public static final int VANISH = -1;

  private ExitCode() {}
}
