package org.pscreen2vec.sync;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The communication thread of a worker: runs submitted jobs (bucket allreduces) one after another,
 * in submission order, while the worker's own thread continues backward.
 *
 * <p>Only one thread talks at a time: the worker's thread submits while backward runs and does
 * not communicate until {@link #drain} has returned (then this thread is idle), so MPJ is never
 * used from two threads at once. The thread is created in the worker's thread group: MPJ's
 * multicore device tells its ranks apart by the calling thread's group, so a thread outside it
 * could not communicate as this rank. Every message this thread waits for has the communicator's
 * deadline; {@link #drain} adds its own bound (the jobs' count times that deadline, plus one), and
 * a job's failure (a lost peer, a timeout naming it) is rethrown on the worker's thread.
 */
final class CommThread implements AutoCloseable {
  private final Thread thread;
  private final long deadlineNanos;
  private final Deque<Runnable> queue = new ArrayDeque<>();
  private long done; // jobs finished since start
  private long submitted;
  private RuntimeException failure;
  private boolean closed;

  CommThread(String name, long deadlineNanos) {
    this.deadlineNanos = deadlineNanos;
    this.thread = new Thread(Thread.currentThread().getThreadGroup(), this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues a job; it runs after every job submitted before it. */
  synchronized void submit(Runnable job) {
    if (failure != null) {
      throw failure;
    }
    if (closed) {
      throw new IllegalStateException("the communication thread was closed");
    }
    queue.addLast(job);
    submitted++;
    notifyAll();
  }

  /**
   * Waits until every job submitted so far has run ({@code jobs} of them this step, which bounds
   * the wait), then rethrows the first failure, if any.
   */
  synchronized void drain(int jobs) {
    long bound = Math.max(1, jobs + 1L) * deadlineNanos;
    long start = System.nanoTime();
    while (done < submitted && failure == null) {
      long left = bound - (System.nanoTime() - start);
      if (left <= 0) {
        throw new IllegalStateException(String.format(java.util.Locale.ROOT,
            "the communication thread did not finish this step's %d bucket(s) within %.1f s "
                + "(%d still queued or running)", jobs, bound / 1e9, submitted - done));
      }
      try {
        wait(Math.max(1, left / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the communication thread",
            e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void loop() {
    while (true) {
      Runnable job;
      synchronized (this) {
        while (queue.isEmpty() && !closed) {
          try {
            wait();
          } catch (InterruptedException e) {
            return;
          }
        }
        if (queue.isEmpty()) {
          return; // closed
        }
        job = queue.pollFirst();
      }
      try {
        job.run();
      } catch (RuntimeException e) {
        synchronized (this) {
          failure = e;
          queue.clear();
          notifyAll();
        }
        return;
      } catch (Error e) {
        synchronized (this) {
          failure = new IllegalStateException("the communication thread failed: " + e, e);
          queue.clear();
          notifyAll();
        }
        return;
      }
      synchronized (this) {
        done++;
        notifyAll();
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
