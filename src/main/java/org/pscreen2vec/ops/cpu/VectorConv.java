package org.pscreen2vec.ops.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight gradient of {@link DirectConv} for 5 x 5 kernels with the Vector API
 * ({@code jdk.incubator.vector}, JDK 17): its accumulators stay in registers, which plain Java
 * cannot express (SuperWord keeps an accumulator in memory, so its loop loads and stores it for
 * every two products, and ran at 12 GFLOP/s in the CNN step). Here one pass over the rows of an
 * (input channel, pair of output channels, kernel row) keeps 10 vector accumulators (5 kernel
 * columns x 2 output channels) and does 10 FMAs per 7 loads: 66 GFLOP/s against 12-13 for the
 * plain loop, conv2 of the Fashion CNN, thread CPU (docs/PERFORMANCE.md, "conv", round 2).
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
}
