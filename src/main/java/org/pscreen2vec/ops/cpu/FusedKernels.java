package org.pscreen2vec.ops.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Kernels of the training step that run over a rank's cores (issue 15, "the step's other
 * compute"). The dense Adam update is one memory-bound pass over four arrays (54.7 M floats
 * each for the joint paper model: 0.11-0.16 s on one core); its elements are independent, so a
 * static split by index range gives exactly the one-thread result on any number of threads.
 */
final class FusedKernels {
  /** Below this many elements a split costs more than it saves (a task hand-off is ~10 us). */
  static final int PARALLEL_MIN = 1 << 16;

  private FusedKernels() {}

  /** Daemon workers shared by the ranks of this class loader; created on first use. */
  private static final class Pool {
    static final ExecutorService WORKERS = Executors.newCachedThreadPool(new ThreadFactory() {
      private int n;

      @Override
      public synchronized Thread newThread(Runnable r) {
        Thread t = new Thread(r, "pscreen2vec-kernels-" + n++);
        t.setDaemon(true);
        return t;
      }
    });
  }

  /** Adam over all elements, split into {@code threads} index ranges (exact on any count). */
  static void adam(FloatBuf p, FloatBuf g, FloatBuf m, FloatBuf v, double lr, double b1,
      double b2, double eps, long t, int threads) {
    int n = p.length();
    // Bias correction folded into the step size and epsilon (Kingma & Ba, end of section 2).
    float step = (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
    float e = (float) (eps * Math.sqrt(1 - Math.pow(b2, t)));
    split(n, n, threads, (from, to) -> adamRange(p, g, m, v, step, e, (float) b1, (float) b2,
        from, to));
  }

  /** Work on the index range [from, to). */
  interface Range {
    void run(int from, int to);
  }

  /**
   * Runs {@code range} over [0, n) split into at most {@code threads} consecutive parts, the
   * caller running the first and waiting for the others; one part when the work (elements
   * touched) is below {@link #PARALLEL_MIN} or 2 parts would be under half of it each.
   */
  static void split(int n, long work, int threads, Range range) {
    int parts = work < PARALLEL_MIN ? 1
        : (int) Math.max(1, Math.min(Math.min(threads, n), work / (PARALLEL_MIN / 2)));
    if (parts == 1) {
      range.run(0, n);
      return;
    }
    Future<?>[] pending = new Future<?>[parts - 1];
    for (int k = 1; k < parts; k++) {
      int from = (int) ((long) n * k / parts);
      int to = (int) ((long) n * (k + 1) / parts);
      pending[k - 1] = Pool.WORKERS.submit(() -> range.run(from, to));
    }
    range.run(0, (int) ((long) n / parts));
    join(pending);
  }

  /**
   * Elements [from, to) of Adam, with the bias correction folded into the step size and epsilon
   * (Kingma & Ba, end of section 2); each element's update depends on nothing else, so any split
   * of the range gives bitwise the same result.
   */
  static void adamRange(FloatBuf p, FloatBuf g, FloatBuf m, FloatBuf v, float step, float e,
      float fb1, float fb2, int from, int to) {
    float[] pv = p.array();
    float[] gv = g.array();
    float[] mv = m.array();
    float[] vv = v.array();
    int po = p.offset();
    int go = g.offset();
    int mo = m.offset();
    int vo = v.offset();
    for (int i = from; i < to; i++) {
      float gi = gv[go + i];
      float mi = fb1 * mv[mo + i] + (1 - fb1) * gi;
      float vi = fb2 * vv[vo + i] + (1 - fb2) * gi * gi;
      mv[mo + i] = mi;
      vv[vo + i] = vi;
      pv[po + i] -= step * mi / ((float) Math.sqrt(vi) + e);
    }
  }

  /**
   * x(rows, cols)[r, :] = tanh(x[r, :] + v): {@link FloatKernels#addRowVector} then {@link
   * FloatKernels2#tanh} in one pass over x, with the same float arithmetic (bitwise equal); the
   * columns split over {@code threads} (each element is independent: bitwise on any count).
   */
  static void biasTanh(FloatBuf x, int rows, int cols, FloatBuf v, int threads) {
    split(cols, (long) rows * cols, threads, (c0, c1) -> biasTanh(x, rows, cols, v, c0, c1));
  }

  private static void biasTanh(FloatBuf x, int rows, int cols, FloatBuf v, int c0, int c1) {
    float[] xv = x.array();
    float[] vv = v.array();
    int vo = v.offset();
    for (int r = 0; r < rows; r++) {
      int base = x.offset() + r * cols;
      for (int j = c0; j < c1; j++) {
        float a = xv[base + j] + vv[vo + j];
        xv[base + j] = (float) (1 - 2 / (Math.exp(2.0 * a) + 1));
      }
    }
  }

  /**
   * dx(rows, cols) = dy * (1 - y^2) and out(cols) += sum over rows of dx: {@link
   * FloatKernels2#tanhBackward} then {@link FloatKernels#sumRowsInto} in one pass, same order and
   * arithmetic (bitwise equal). dx may alias dy. The columns split over {@code threads}: each
   * column's sum still runs over the rows in order, so the result is bitwise on any count.
   */
  static void tanhBackwardSumRows(FloatBuf y, FloatBuf dy, FloatBuf dx, int rows, int cols,
      FloatBuf out, int threads) {
    split(cols, (long) rows * cols, threads,
        (c0, c1) -> tanhBackwardSumRows(y, dy, dx, rows, cols, out, c0, c1));
  }

  private static void tanhBackwardSumRows(FloatBuf y, FloatBuf dy, FloatBuf dx, int rows,
      int cols, FloatBuf out, int c0, int c1) {
    float[] yv = y.array();
    float[] g = dy.array();
    float[] d = dx.array();
    float[] ov = out.array();
    int oo = out.offset();
    for (int r = 0; r < rows; r++) {
      int yb = y.offset() + r * cols;
      int gb = dy.offset() + r * cols;
      int db = dx.offset() + r * cols;
      for (int j = c0; j < c1; j++) {
        float v = yv[yb + j];
        float dz = g[gb + j] * (1 - v * v);
        d[db + j] = dz;
        ov[oo + j] += dz;
      }
    }
  }

  private static void join(Future<?>[] pending) {
    RuntimeException failure = null;
    for (Future<?> f : pending) {
      try {
        f.get();
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        failure = new IllegalStateException("interrupted while waiting for a kernel part", ex);
      } catch (java.util.concurrent.ExecutionException ex) {
        failure = new IllegalStateException("a kernel part failed", ex.getCause());
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
