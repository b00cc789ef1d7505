package org.pscreen2vec.sync;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The guard's share of a step, old way against new, in one JVM, alternated (not a test; run with
 * {@code java -cp <test-classes>:<classes> org.pscreen2vec.sync.GuardPassBench N REPS}): the
 * weighting pass of the allreduce plus a separate non-finite scan of the same gradient (how the
 * guards worked before) against the one pass that does both ({@link AllreduceSync#weigh}).
 * Prints min and median milliseconds over REPS after a warm-up of REPS.
 */
public final class GuardPassBench {
  private GuardPassBench() {}

  public static void main(String[] args) {
    int n = Integer.parseInt(args[0]);
    int reps = Integer.parseInt(args[1]);
    float[] g = new float[n];
    float[] fused = new float[n + 1];
    SplittableRandom r = new SplittableRandom(1);
    for (int i = 0; i < n; i++) {
      g[i] = (float) r.nextGaussian();
    }
    double[] old = new double[reps];
    double[] now = new double[reps];
    int sink = 0;
    for (int round = 0; round < 2; round++) {
      for (int k = 0; k < reps; k++) {
        boolean oldFirst = k % 2 == 0; // alternate which goes first
        long a = oldFirst ? oldWay(g, fused, n) : 0;
        long t0 = System.nanoTime();
        sink += AllreduceSync.weigh(g, 0, fused, 0, n, 32f);
        now[k] = (System.nanoTime() - t0) / 1e6;
        old[k] = (oldFirst ? a : oldWay(g, fused, n)) / 1e6;
      }
    }
    Arrays.sort(old);
    Arrays.sort(now);
    System.out.printf(java.util.Locale.ROOT, "n=%d reps=%d: scan+weigh min %.3f median %.3f ms;"
        + " fused min %.3f median %.3f ms; fused/old (medians) %.2f [%d]%n", n, reps, old[0],
        old[reps / 2], now[0], now[reps / 2], now[reps / 2] / old[reps / 2], sink);
  }

  /** The guards' own pass, then the weighting pass as it was; returns the nanoseconds. */
  private static long oldWay(float[] g, float[] fused, int n) {
    long t0 = System.nanoTime();
    int bad = scan(g, n);
    for (int i = 0; i < n; i++) {
      fused[i] = 32f * g[i];
    }
    fused[n] = bad;
    return System.nanoTime() - t0;
  }

  /** Guards.firstNonFinite's pass (four running sums of x * 0). */
  private static int scan(float[] a, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int i = 0;
    for (; i + 3 < n; i += 4) {
      s0 += a[i] * 0f;
      s1 += a[i + 1] * 0f;
      s2 += a[i + 2] * 0f;
      s3 += a[i + 3] * 0f;
    }
    return s0 + s1 + s2 + s3 == 0f ? -1 : 0;
  }
}
