package org.pscreen2vec.ops.cpu;

/**
 * The inner loops of {@link DirectConv}: unit-stride loops over one packed row, (column, image
 * of the group) with the {@link #NB} images innermost, which C2's SuperWord turns into AVX2
 * vector FMAs.
 *
 * <p>Why every row is its own array indexed from 0 and the images come in groups of a constant
 * {@link #NB}: SuperWord (JDK 17) vectorizes a loop only if it can prove that a store does not
 * feed a later load of the same loop, and it cannot compare {@code y[d + j]} with {@code x[s +
 * j]} for unknown d and s (y and x might be one array). With rows indexed from 0 and the kernel
 * taps at the constant offsets 0, NB, 2 NB, ... the distances are known multiples of NB = 16,
 * at least two AVX2 vectors, and the loops vectorize (measured: the same loop with variable
 * offsets ran at scalar speed, 10 GFLOP/s against 34).
 */
final class ConvTaps {
  /** Images per packed group: the stride of one column in a packed row. */
  static final int NB = 16;

  private ConvTaps() {}

  /** y[j] += sum over kx < 5 of t_kx * x[j + kx NB], for j < len. */
  static void row5(float[] y, float[] x, int len, float t0, float t1, float t2, float t3,
      float t4) {
    for (int j = 0; j < len; j++) {
      float v = Math.fma(t0, x[j], y[j]);
      v = Math.fma(t1, x[j + NB], v);
      v = Math.fma(t2, x[j + 2 * NB], v);
      v = Math.fma(t3, x[j + 3 * NB], v);
      y[j] = Math.fma(t4, x[j + 4 * NB], v);
    }
  }

  /** y[j] += t * x[j + s], for j < len (any kernel width; s varies, so this one is scalar). */
  static void row1(float[] y, float[] x, int s, int len, float t) {
    for (int j = 0; j < len; j++) {
      y[j] = Math.fma(t, x[j + s], y[j]);
    }
  }

  /**
   * a[i] += x0[i + kx NB] * g0[i + 2 NB] + x1[i + kx NB] * g1[i + 2 NB], for i < len and a
   * kernel column kx < 5: one weight-gradient tap over two (packed input row, packed gradient
   * row) pairs; two products per store of a. One loop per kx, each with its offsets as
   * constants, which SuperWord needs (with kx NB a variable the loop ran scalar; the rows were
   * copied shifted by each kx before, 6 % of a CNN step). Two pairs, not four: with nine arrays
   * in the loop SuperWord gave up (7.5 GFLOP/s, scalar), with five it vectorizes (26-30).
   */
  static void acc2(int kx, float[] a, float[] x0, float[] g0, float[] x1, float[] g1, int len) {
    switch (kx) {
      case 0 -> {
        for (int i = 0; i < len; i++) {
          a[i] = Math.fma(x1[i], g1[i + 2 * NB], Math.fma(x0[i], g0[i + 2 * NB], a[i]));
        }
      }
      case 1 -> {
        for (int i = 0; i < len; i++) {
          a[i] = Math.fma(x1[i + NB], g1[i + 2 * NB], Math.fma(x0[i + NB], g0[i + 2 * NB], a[i]));
        }
      }
      case 2 -> {
        for (int i = 0; i < len; i++) {
          a[i] = Math.fma(x1[i + 2 * NB], g1[i + 2 * NB],
              Math.fma(x0[i + 2 * NB], g0[i + 2 * NB], a[i]));
        }
      }
      case 3 -> {
        for (int i = 0; i < len; i++) {
          a[i] = Math.fma(x1[i + 3 * NB], g1[i + 2 * NB],
              Math.fma(x0[i + 3 * NB], g0[i + 2 * NB], a[i]));
        }
      }
      case 4 -> {
        for (int i = 0; i < len; i++) {
          a[i] = Math.fma(x1[i + 4 * NB], g1[i + 2 * NB],
              Math.fma(x0[i + 4 * NB], g0[i + 2 * NB], a[i]));
        }
      }
      default -> throw new IllegalArgumentException("kernel column " + kx + " of 5");
    }
  }

  /** a[i] += x[i + kx NB] * g[i + 2 NB], for i < len: {@link #acc2} for one pair. */
  static void acc(int kx, float[] a, float[] x, float[] g, int len) {
    acc1(a, x, kx * NB, g, 2 * NB, len); // once per tap and row set: scalar is fine
  }

  /** a[i] += x[i], for i < len. */
  static void add(float[] a, float[] x, int len) {
    for (int i = 0; i < len; i++) {
      a[i] += x[i];
    }
  }

  /** a[i] += x[i + s] * g[i + e], for i < len (any kernel width; scalar). */
  static void acc1(float[] a, float[] x, int s, float[] g, int e, int len) {
    for (int i = 0; i < len; i++) {
      a[i] = Math.fma(x[i + s], g[i + e], a[i]);
    }
  }

  /** The sum of a[0 .. len), in double, four chains (len is a few hundred). */
  static double sum(float[] a, int len) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int i = 0;
    for (; i + 3 < len; i += 4) {
      s0 += a[i];
      s1 += a[i + 1];
      s2 += a[i + 2];
      s3 += a[i + 3];
    }
    for (; i < len; i++) {
      s0 += a[i];
    }
    return (s0 + s1) + (s2 + s3);
  }
}
