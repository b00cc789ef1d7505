package org.pscreen2vec.comm;

import java.util.concurrent.locks.LockSupport;

/**
 * Polls a condition until it holds or a deadline passes, backing off from spinning to short sleeps.
 *
 * <p>Why poll: MPJ Express has no timed wait, and its blocking {@code Wait}/{@code Recv} never return
 * when a peer dies. Spinning briefly keeps latency low for messages that are about to arrive;
 * the sleeps that follow keep a waiting rank from stealing a core from the ranks (and MPJ progress
 * threads) that do the work on a 2-core host.
 */
public final class Deadline {
  private static final int SPINS = 200;
  /** Longest sleep between polls; -Dpscreen2vec.maxPollNanos overrides it (for measurements). */
  private static final long MAX_PARK_NANOS = Long.getLong("pscreen2vec.maxPollNanos", 1_000_000L);

  private Deadline() {}

  /** A condition that may be polled repeatedly. */
  @FunctionalInterface
  public interface Poll {
    boolean done();
  }

  /** Returns the nanoseconds waited, or -1 when {@code deadlineNanos} passed before {@code poll}. */
  public static long await(Poll poll, long deadlineNanos) {
    return await(poll, deadlineNanos, null);
  }

  /**
   * As {@link #await(Poll, long)}, and runs {@code halfway} once (when not null) if the wait
   * passes half the deadline: the stall report, so that a slow or stuck peer is named in the log
   * while there is still time to look at it.
   */
  public static long await(Poll poll, long deadlineNanos, Runnable halfway) {
    long start = System.nanoTime();
    long park = 2_000L;
    boolean reported = halfway == null;
    for (int i = 0; ; i++) {
      if (poll.done()) {
        return System.nanoTime() - start;
      }
      long waited = System.nanoTime() - start;
      if (waited > deadlineNanos) {
        return -1;
      }
      if (!reported && waited > deadlineNanos / 2) {
        reported = true;
        halfway.run();
      }
      if (i < SPINS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(park);
        park = Math.min(MAX_PARK_NANOS, park * 2);
      }
    }
  }
}
