package org.pscreen2vec.comm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one body per rank of an in-process job, each on its own thread, like {@code mpjrun} runs
 * one process per rank: when a body returns or throws, its rank leaves the job (so peers still
 * waiting on it fail at once, naming it, as they would when a process dies). Returns every rank's
 * result, or rethrows the first failure (later ones, usually consequences, are suppressed in it).
 */
public final class InProcessRanks {
  /** What a rank does; may throw anything. */
  @FunctionalInterface
  public interface Body<T> {
    T run(InProcessCommunicator comm) throws Exception;
  }

  /** A body without a result. */
  @FunctionalInterface
  public interface VoidBody {
    void run(InProcessCommunicator comm) throws Exception;
  }

  private InProcessRanks() {}

  /** n ranks with the default deadline; see {@link #call(List, Body)}. */
  public static <T> List<T> call(int n, Body<T> body) {
    return call(InProcessCommunicator.world(n), body);
  }

  public static void run(int n, VoidBody body) {
    run(InProcessCommunicator.world(n), body);
  }

  public static void run(List<InProcessCommunicator> world, VoidBody body) {
    call(world, c -> {
      body.run(c);
      return null;
    });
  }

  /**
   * Runs {@code body} on every communicator of {@code world} (one thread each, named
   * "rank-i") and waits for all of them; results by rank. A body that is still running long after
   * every wait should have ended (four deadlines plus 30 s) is interrupted and reported with its
   * stack, so a hang outside the communicator fails the test too.
   */
  public static <T> List<T> call(List<InProcessCommunicator> world, Body<T> body) {
    int n = world.size();
    Object[] results = new Object[n];
    List<Throwable> failures = new ArrayList<>(); // in the order they happened
    Thread[] threads = new Thread[n];
    for (int r = 0; r < n; r++) {
      InProcessCommunicator c = world.get(r);
      int rank = r;
      threads[r] = new Thread(() -> {
        try {
          results[rank] = body.run(c);
        } catch (Throwable t) {
          synchronized (failures) {
            failures.add(t);
          }
        } finally {
          c.close();
        }
      }, "rank-" + r);
      threads[r].setDaemon(true);
    }
    for (Thread t : threads) {
      t.start();
    }
    long deadline = world.get(0).deadlineNanos();
    long limit = deadline > Long.MAX_VALUE / 8 ? Long.MAX_VALUE : 4 * deadline + 30_000_000_000L;
    long start = System.nanoTime();
    for (Thread t : threads) {
      long left = limit - (System.nanoTime() - start);
      try {
        t.join(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommException("interrupted while waiting for the in-process ranks", e);
      }
    }
    List<String> stuck = new ArrayList<>();
    for (Thread t : threads) {
      if (t.isAlive()) {
        stuck.add(t.getName() + " at " + Arrays.toString(t.getStackTrace()));
        t.interrupt();
      }
    }
    if (!stuck.isEmpty()) {
      throw new CommException("in-process ranks still running after " + limit / 1e9 + " s: "
          + String.join("; ", stuck));
    }
    synchronized (failures) {
      if (!failures.isEmpty()) {
        Throwable first = failures.get(0);
        for (Throwable t : failures.subList(1, failures.size())) {
          first.addSuppressed(t);
        }
        if (first instanceof RuntimeException e) {
          throw e;
        }
        if (first instanceof Error e) {
          throw e;
        }
        throw new CommException("a rank failed: " + first, first);
      }
    }
    @SuppressWarnings("unchecked")
    List<T> out = (List<T>) Arrays.asList(results);
    return out;
  }
}
