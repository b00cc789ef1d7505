package org.pscreen2vec.ops.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient and the correlation (forward, input gradient) of {@link DirectConv} for
 * 5 x 5 kernels with the Vector API ({@code jdk.incubator.vector}, JDK 17): the accumulators
 * stay in registers, which plain Java cannot express (SuperWord keeps an accumulator in memory,
 * so its loop loads and stores it for every two products; the weight gradient ran at 12
 * GFLOP/s in the CNN step). The weight gradient keeps 10 vector accumulators (5 kernel columns
 * x 2 output channels) over the rows of an (input channel, pair of output channels, kernel row),
 * 10 FMAs per 7 loads: 66 GFLOP/s against 12-13 for the plain loop, conv2 of the Fashion CNN,
 * thread CPU; the correlation keeps 4 output channels x one column of 16 images. Accumulators
 * live across one loop only: C2 (JDK 17) boxed them across nested loops (10x slower), hence the
 * flattened loops (docs/PERFORMANCE.md, "conv", round 2).
 *
 * <p>Only loaded when the JVM has the module ({@link DirectConv#VECTOR}: {@code --add-modules
 * jdk.incubator.vector}); otherwise {@link DirectConv} runs its plain-Java loops. Each group of
 * rows is flushed from the float accumulators into doubles, so that no float sum runs over more
 * than one group's pixels (as in the plain path).
 */
final class VectorConv {
  private static final VectorSpecies<Float> V = FloatVector.SPECIES_256;
  private static final int L = 8; // V.length()
  private static final int NB = ConvTaps.NB;
  private final float[] acc = new float[10 * L];
  private final double[] sums = new double[10];
  private float[][] rowsOf = new float[0][]; // correlateRow5's (ky, ci) rows and taps
  private int[] tapOf = new int[0];

  /**
   * dWt(5, 5, cin, cout) += the sum over the pixels of the packed input rows xr (group, row,
   * cin) times the packed gradient rows gr (group, row, cout), both rows of (w + 4) NB floats.
   */
  void weightGradient5(float[][] xr, float[][] gr, int n, int h, int w, int cin, int cout,
      float[] dWt, int dwo) {
    int len = w * NB;
    int groups = (n + NB - 1) / NB;
    for (int ky = 0; ky < 5; ky++) {
      int oy0 = Math.max(0, 2 - ky);
      int oy1 = Math.min(h, h + 2 - ky);
      for (int ci = 0; ci < cin; ci++) {
        for (int co = 0; co < cout; co += 2) {
          boolean two = co + 1 < cout;
          Arrays.fill(sums, 0);
          for (int g = 0; g < groups; g++) {
            Arrays.fill(acc, 0f);
            for (int oy = oy0; oy < oy1; oy++) {
              int r = g * h + oy;
              float[] g0 = gr[r * cout + co];
              row(acc, xr[(r + ky - 2) * cin + ci], g0, two ? gr[r * cout + co + 1] : g0, len);
            }
            for (int a = 0; a < 10; a++) {
              double s = 0;
              for (int l = 0; l < L; l++) {
                s += acc[a * L + l];
              }
              sums[a] += s;
            }
          }
          for (int kx = 0; kx < 5; kx++) {
            int d = dwo + ((ky * 5 + kx) * cin + ci) * cout + co;
            dWt[d] += (float) sums[2 * kx];
            if (two) {
              dWt[d + 1] += (float) sums[2 * kx + 1];
            }
          }
        }
      }
    }
  }

  /**
   * acc(kx, j) += x[i + kx NB] * gj[i + 2 NB] over i < len in vectors of L, for the 5 kernel
   * columns kx and the two gradient rows g0, g1 (acc: 10 vectors, (kx, j) order).
   */
  private static void row(float[] acc, float[] x, float[] g0, float[] g1, int len) {
    FloatVector a00 = FloatVector.fromArray(V, acc, 0);
    FloatVector a01 = FloatVector.fromArray(V, acc, L);
    FloatVector a10 = FloatVector.fromArray(V, acc, 2 * L);
    FloatVector a11 = FloatVector.fromArray(V, acc, 3 * L);
    FloatVector a20 = FloatVector.fromArray(V, acc, 4 * L);
    FloatVector a21 = FloatVector.fromArray(V, acc, 5 * L);
    FloatVector a30 = FloatVector.fromArray(V, acc, 6 * L);
    FloatVector a31 = FloatVector.fromArray(V, acc, 7 * L);
    FloatVector a40 = FloatVector.fromArray(V, acc, 8 * L);
    FloatVector a41 = FloatVector.fromArray(V, acc, 9 * L);
    for (int i = 0; i < len; i += L) {
      FloatVector v0 = FloatVector.fromArray(V, g0, i + 2 * NB);
      FloatVector v1 = FloatVector.fromArray(V, g1, i + 2 * NB);
      FloatVector xv = FloatVector.fromArray(V, x, i);
      a00 = xv.fma(v0, a00);
      a01 = xv.fma(v1, a01);
      xv = FloatVector.fromArray(V, x, i + NB);
      a10 = xv.fma(v0, a10);
      a11 = xv.fma(v1, a11);
      xv = FloatVector.fromArray(V, x, i + 2 * NB);
      a20 = xv.fma(v0, a20);
      a21 = xv.fma(v1, a21);
      xv = FloatVector.fromArray(V, x, i + 3 * NB);
      a30 = xv.fma(v0, a30);
      a31 = xv.fma(v1, a31);
      xv = FloatVector.fromArray(V, x, i + 4 * NB);
      a40 = xv.fma(v0, a40);
      a41 = xv.fma(v1, a41);
    }
    a00.intoArray(acc, 0);
    a01.intoArray(acc, L);
    a10.intoArray(acc, 2 * L);
    a11.intoArray(acc, 3 * L);
    a20.intoArray(acc, 4 * L);
    a21.intoArray(acc, 5 * L);
    a30.intoArray(acc, 6 * L);
    a31.intoArray(acc, 7 * L);
    a40.intoArray(acc, 8 * L);
    a41.intoArray(acc, 9 * L);
  }

  /**
   * a[co][j] += the sum over ky, ci, kx of t[to + ((ky 5 + kx) cs + ci) cd + co] times the packed
   * row src[(g h + oy + ky - 2) cs + ci] at j + kx NB, for the output row oy of group g (rows
   * outside the image skipped): {@link DirectConv}'s correlation for 5 x 5 kernels, with a
   * block of 4 output channels x one column (2 vectors) accumulated in registers, 8 FMAs per 2
   * loads of the input and 4 broadcast taps. Returns how many channels it did (cd - cd % 4);
   * the caller does the rest.
   */
  int correlateRow5(float[][] a, float[][] src, int g, int oy, int h, int cs, float[] t,
      int to, int cd, int len) {
    int kx1 = cs * cd; // between the taps of one kernel row
    if (tapOf.length < 5 * cs) {
      rowsOf = new float[5 * cs][];
      tapOf = new int[5 * cs];
    }
    float[][] rowsOf = this.rowsOf;
    int[] tapOf = this.tapOf;
    // the (ky, ci) pairs of this output row, flattened into one loop: C2 (JDK 17) keeps the
    // vector accumulators in registers across one loop, not across nested ones (boxed: 10x slower)
    int m = 0;
    for (int ky = Math.max(0, 2 - oy); ky < 5 && oy + ky - 2 < h; ky++) {
      for (int ci = 0; ci < cs; ci++, m++) {
        rowsOf[m] = src[(g * h + oy + ky - 2) * cs + ci];
        tapOf[m] = to + (ky * 5 * cs + ci) * cd;
      }
    }
    int co = 0;
    for (; co + 3 < cd; co += 4) {
      float[] y0 = a[co];
      float[] y1 = a[co + 1];
      float[] y2 = a[co + 2];
      float[] y3 = a[co + 3];
      for (int j = 0; j < len; j += 2 * L) {
        FloatVector s00 = FloatVector.fromArray(V, y0, j);
        FloatVector s01 = FloatVector.fromArray(V, y0, j + L);
        FloatVector s10 = FloatVector.fromArray(V, y1, j);
        FloatVector s11 = FloatVector.fromArray(V, y1, j + L);
        FloatVector s20 = FloatVector.fromArray(V, y2, j);
        FloatVector s21 = FloatVector.fromArray(V, y2, j + L);
        FloatVector s30 = FloatVector.fromArray(V, y3, j);
        FloatVector s31 = FloatVector.fromArray(V, y3, j + L);
        for (int i = 0; i < m; i++) {
          float[] x = rowsOf[i];
          int tt = tapOf[i] + co;
          for (int kx = 0; kx < 5; kx++, tt += kx1) {
            FloatVector x0 = FloatVector.fromArray(V, x, j + kx * NB);
            FloatVector x1 = FloatVector.fromArray(V, x, j + kx * NB + L);
            FloatVector w = FloatVector.broadcast(V, t[tt]);
            s00 = x0.fma(w, s00);
            s01 = x1.fma(w, s01);
            w = FloatVector.broadcast(V, t[tt + 1]);
            s10 = x0.fma(w, s10);
            s11 = x1.fma(w, s11);
            w = FloatVector.broadcast(V, t[tt + 2]);
            s20 = x0.fma(w, s20);
            s21 = x1.fma(w, s21);
            w = FloatVector.broadcast(V, t[tt + 3]);
            s30 = x0.fma(w, s30);
            s31 = x1.fma(w, s31);
          }
        }
        s00.intoArray(y0, j);
        s01.intoArray(y0, j + L);
        s10.intoArray(y1, j);
        s11.intoArray(y1, j + L);
        s20.intoArray(y2, j);
        s21.intoArray(y2, j + L);
        s30.intoArray(y3, j);
        s31.intoArray(y3, j + L);
      }
    }
    return co;
  }
}
