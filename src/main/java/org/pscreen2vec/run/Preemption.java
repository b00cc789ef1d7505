package org.pscreen2vec.run;

import java.util.concurrent.TimeUnit;

/**
 * SIGTERM (what {@code scancel}, Slurm's time limit and the launcher send first) turned into "stop
 * after this step and checkpoint". The JVM runs shutdown hooks on SIGTERM and halts when they
 * return, so the hook sets a flag and then waits until the rank that {@link #enter entered}
 * training has {@link #leave left} it (checkpoint written, status recorded), at most
 * {@code -Dpscreen2vec.termWaitSeconds} (default 25, under the launcher's grace of 30).
 *
 * <p>In a multicore job the ranks are threads of one JVM, but each rank has its own class loader
 * and so its own copy of this class: every rank installs its own hook, all hooks run at once on
 * the signal, and the JVM ends when every rank's hook has seen its rank finish. Where ranks are
 * processes each has one hook.
 */
public final class Preemption {
  private static volatile boolean requested;
  private static volatile String why = "";
  private static final Object LOCK = new Object();
  private static int inside; // ranks of this class loader between enter and leave
  private static boolean installed;

  private Preemption() {}

  /** Installs the hook (once) and marks this rank as one the hook must wait for. */
  public static void enter() {
    synchronized (LOCK) {
      inside++;
      if (!installed) {
        installed = true;
        Runtime.getRuntime().addShutdownHook(new Thread(Preemption::onSignal,
            "pscreen2vec-preemption"));
      }
    }
  }

  /** This rank is done (normally, preempted or failed): the hook need not wait for it. */
  public static void leave() {
    synchronized (LOCK) {
      inside = Math.max(0, inside - 1);
      LOCK.notifyAll();
    }
  }

  /** True once SIGTERM (or {@link #request}) asked the run to stop. */
  public static boolean requested() {
    return requested;
  }

  /** What asked for the stop ("SIGTERM"), or "". */
  public static String reason() {
    return why;
  }

  /** Asks for a stop as SIGTERM would (tests, and the hook itself). */
  public static void request(String reason) {
    why = reason;
    requested = true;
  }

  private static void onSignal() {
    synchronized (LOCK) {
      if (inside == 0) {
        return; // not training (yet, or any more): end as usual
      }
    }
    request("SIGTERM");
    long waitNanos = TimeUnit.SECONDS.toNanos(Long.getLong("pscreen2vec.termWaitSeconds", 25));
    long end = System.nanoTime() + waitNanos;
    synchronized (LOCK) {
      while (inside > 0) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          System.err.println("pscreen2vec: the rank did not checkpoint within "
              + waitNanos / 1_000_000_000L + " s of SIGTERM; ending without it");
          return;
        }
        try {
          LOCK.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }
}
