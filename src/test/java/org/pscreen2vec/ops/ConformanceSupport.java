package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The harness of the {@link OpsConformance} suite: the backend under test and the reference,
 * operand {@link Pair}s (random, non-negative or poisoned), a call run on both sides, and the
 * stated tolerances.
 *
 * <p>Tolerances, relative to the reference ({@code |got - want| <= tol * max(1, |want|)}):
 * {@link #EXACT} for data movement, {@link #ELEMENT} for one float operation per element,
 * {@link #SUM} for short sums and losses, {@link #GEMM} for products and {@link #OPTIMIZER} for
 * several optimizer steps. Elementwise kernels stay within a float rounding or two of the
 * double result; sums grow with their length.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ConformanceSupport {
  protected static final double EXACT = 0;
  protected static final double ELEMENT = 1e-6;
  protected static final double SUM = 1e-5;
  protected static final double GEMM = 1e-4;
  protected static final double OPTIMIZER = 1e-5;
  /** Vector lengths: empty, one, odd (unaligned to any vector width). */
  protected static final int[] SIZES = {0, 1, 7, 33, 1027};
  /** (rows, cols) grids. */
  protected static final int[][] GRIDS = {{0, 4}, {1, 1}, {1, 7}, {5, 3}, {9, 33}};

  protected final Ops ref = new ReferenceOps();
  protected Ops ops;
  protected Random rnd;

  /** The backend under test (created once per test class). */
  protected abstract Ops create();

  @BeforeAll
  void start() {
    ops = create();
  }

  /** A kernel call on one side: test = true runs it on the backend's buffers. */
  @FunctionalInterface
  protected interface Call {
    double run(Ops o, boolean test);
  }

  /** Runs c on the reference, then on the backend; returns {backend, reference}. */
  protected double[] both(Call c) {
    double want = c.run(ref, false);
    double got = c.run(ops, true);
    return new double[] {got, want};
  }

  protected Random rnd(long seed) {
    rnd = new Random(seed);
    return rnd;
  }

  protected float[] gauss(int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (rnd.nextGaussian() * scale);
    }
    return v;
  }

  /** Random inputs (standard normal). */
  protected Pair in(int n) {
    return Pair.of(ops, ref, gauss(n, 1));
  }

  /** Random non-negative inputs (second moments, accumulators). */
  protected Pair positive(int n) {
    float[] v = gauss(n, 1);
    for (int i = 0; i < n; i++) {
      v[i] = Math.abs(v[i]) + 0.01f;
    }
    return Pair.of(ops, ref, v);
  }

  /** An output poisoned with NaN. */
  protected Pair out(int n) {
    float[] v = new float[n];
    Arrays.fill(v, Float.NaN);
    return Pair.of(ops, ref, v);
  }

  protected static void assertLoss(double[] r, String what) {
    assertEquals(r[1], r[0], SUM * Math.max(1, Math.abs(r[1])), what + ": returned value");
  }
}
