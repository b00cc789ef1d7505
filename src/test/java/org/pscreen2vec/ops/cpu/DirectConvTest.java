package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The direct convolution ({@link DirectConv}, CpuOps' default) at the Fashion CNN's own shapes,
 * with batches that fill no image group ({@link ConvTaps#NB}) exactly (1, 19, 33), on slices
 * with offsets, against the double reference (the interface's im2col path in doubles) and
 * against CpuOps' own im2col + GEMM path ({@code -Dpscreen2vec.conv=im2col}). Tolerance: 1e-4
 * relative to max(1, |reference|) — float products of up to k k cin = 200 terms (forward, dx)
 * and n h w = 25,872 terms (weight gradient), summed in another order than the reference's.
 */
class DirectConvTest {
  private static final double TOL = 1e-4;
  private final Random rnd = new Random(7);

  private static final int[][] SHAPES = { // n, h, w, cin, cout, k
      {19, 28, 28, 1, 8, 5}, {33, 14, 14, 8, 16, 5}, {1, 14, 14, 16, 32, 5}, {17, 9, 11, 3, 5, 3},
      {2, 4, 4, 2, 3, 7}};

  @Test
  void directPathMatchesTheReferenceAndTheIm2colPath() {
    Ops direct = new CpuOps(1);
    Ops im2col = withConv("im2col");
    Ops ref = new ReferenceOps();
    assertEquals(0, direct.conv2dScratch(64, 28, 28, 1, 5), "the direct path needs no scratch");
    for (int[] s : SHAPES) {
      float[] x = gauss(s[0] * s[1] * s[2] * s[3]);
      float[] wt = gauss(s[5] * s[5] * s[3] * s[4]);
      float[] bias = gauss(s[4]);
      float[] dy = gauss(s[0] * s[1] * s[2] * s[4]);
      double[][] want = run(ref, s, x, wt, bias, dy);
      String[] parts = {"y", "dWt", "dBias", "dx"};
      for (Ops o : new Ops[] {direct, im2col}) {
        double[][] got = run(o, s, x, wt, bias, dy);
        for (int p = 0; p < parts.length; p++) {
          for (int i = 0; i < want[p].length; i++) {
            assertEquals(want[p][i], got[p][i], TOL * Math.max(1, Math.abs(want[p][i])),
                java.util.Arrays.toString(s) + " " + parts[p] + "[" + i + "] (" + o.name() + ")");
          }
        }
      }
    }
  }

  @Test
  void aSecondBatchOfAnotherSizeReusesNothingStale() {
    Ops direct = new CpuOps(1);
    Ops ref = new ReferenceOps();
    int[] big = {40, 14, 14, 8, 16, 5};
    int[] small = {3, 14, 14, 8, 16, 5}; // a partial last group after a full one
    run(direct, big, gauss(40 * 196 * 8), gauss(25 * 128), gauss(16), gauss(40 * 196 * 16));
    float[] x = gauss(3 * 196 * 8);
    float[] wt = gauss(25 * 128);
    float[] b = gauss(16);
    float[] dy = gauss(3 * 196 * 16);
    double[][] want = run(ref, small, x, wt, b, dy);
    double[][] got = run(direct, small, x, wt, b, dy);
    for (int p = 0; p < want.length; p++) {
      for (int i = 0; i < want[p].length; i++) {
        assertEquals(want[p][i], got[p][i], TOL * Math.max(1, Math.abs(want[p][i])), p + "/" + i);
      }
    }
  }

  /**
   * Both kernels, the Vector API's ({@link VectorConv}: weight gradient and correlation;
   * surefire's argLine adds the module) and the plain-Java fallback, called directly (forward
   * and backward with dx), against the reference; an odd cout leaves the vector weight
   * gradient's last channel without a partner and cout 5 or cin 3 a correlation tail of
   * channels outside its blocks of 4. Same tolerance.
   */
  @Test
  void vectorAndPlainKernelsMatchTheReference() {
    assertTrue(DirectConv.VECTOR, "the tests run with --add-modules jdk.incubator.vector");
    Ops ref = new ReferenceOps();
    int[][] shapes = {{19, 28, 28, 1, 8, 5}, {33, 14, 14, 8, 16, 5}, {5, 6, 7, 3, 5, 5},
        {1, 1, 1, 1, 1, 5}, {3, 3, 5, 4, 12, 5}};
    for (int[] s : shapes) {
      int n = s[0];
      int cout = s[4];
      float[] x = gauss(n * s[1] * s[2] * s[3]);
      float[] wt = gauss(25 * s[3] * cout);
      float[] dy = gauss(n * s[1] * s[2] * cout);
      float[] bias = gauss(cout);
      double[][] want = run(ref, s, x, wt, bias, dy);
      for (boolean vector : new boolean[] {true, false}) {
        DirectConv d = new DirectConv(vector);
        float[] y = new float[want[0].length + 4];
        java.util.Arrays.fill(y, Float.NaN);
        d.forward(x, 0, n, s[1], s[2], s[3], 5, wt, 0, bias, 0, cout, y, 4);
        double[] gotY = toDoubles(y, 4, want[0].length);
        for (int i = 0; i < gotY.length; i++) {
          assertEquals(want[0][i], gotY[i], TOL * Math.max(1, Math.abs(want[0][i])),
              java.util.Arrays.toString(s) + " y[" + i + "] vector " + vector);
        }
        float[] dWt = new float[wt.length + 3];
        float[] dBias = new float[cout + 3];
        float[] dx = new float[x.length + 3];
        java.util.Arrays.fill(dWt, 1f);
        java.util.Arrays.fill(dBias, 1f);
        java.util.Arrays.fill(dx, Float.NaN);
        d.backward(x, 0, n, s[1], s[2], s[3], 5, wt, 0, cout, dy, 0, dWt,
            2, dBias, 1, dx, 3);
        double[][] got = new double[3][];
        got[0] = toDoubles(dWt, 2, wt.length);
        got[1] = toDoubles(dBias, 1, cout);
        got[2] = toDoubles(dx, 3, x.length);
        String[] parts = {"dWt", "dBias", "dx"};
        for (int p = 0; p < 3; p++) {
          for (int i = 0; i < want[p + 1].length; i++) {
            assertEquals(want[p + 1][i], got[p][i], TOL * Math.max(1, Math.abs(want[p + 1][i])),
                java.util.Arrays.toString(s) + " " + parts[p] + "[" + i + "] vector " + vector);
          }
        }
        assertEquals(1f, dWt[0], "dWt before its offset untouched");
        assertEquals(1f, dWt[wt.length + 2], "dWt after its end untouched");
      }
    }
  }

  private static double[] toDoubles(float[] v, int from, int len) {
    double[] d = new double[len];
    for (int i = 0; i < len; i++) {
      d[i] = v[from + i];
    }
    return d;
  }

  @Test
  void badGeometryIsRejected() {
    Ops o = new CpuOps(1);
    Buf x = o.alloc(2 * 4 * 4);
    assertThrows(IllegalArgumentException.class, () -> o.conv2d(x, 2, 4, 4, 1, 4, o.alloc(16),
        o.alloc(1), 1, o.alloc(32), null), "an even kernel");
    assertThrows(IllegalArgumentException.class, () -> o.conv2d(x, 2, 4, 4, 1, 3, o.alloc(9),
        o.alloc(1), 1, o.alloc(31), null), "a short output");
  }

  /** {y, dWt (from ones), dBias (from ones), dx} of one forward and backward, as doubles. */
  private static double[][] run(Ops o, int[] s, float[] x, float[] wt, float[] bias,
      float[] dy) {
    int n = s[0];
    int h = s[1];
    int w = s[2];
    int cin = s[3];
    int cout = s[4];
    int k = s[5];
    long len = o.conv2dScratch(n, h, w, cin, k);
    Buf scratch = len == 0 ? null : o.alloc((int) len);
    Buf bx = slice(o, x);
    Buf bw = slice(o, wt);
    Buf y = slice(o, new float[n * h * w * cout]);
    o.fill(y, Double.NaN);
    o.conv2d(bx, n, h, w, cin, k, bw, slice(o, bias), cout, y, scratch);
    Buf dWt = slice(o, new float[wt.length]);
    Buf dBias = slice(o, new float[cout]);
    o.fill(dWt, 1);
    o.fill(dBias, 1);
    Buf dx = slice(o, new float[x.length]);
    o.fill(dx, Double.NaN);
    o.conv2dBackward(bx, n, h, w, cin, k, bw, cout, slice(o, dy), dWt, dBias, dx, scratch);
    return new double[][] {y.toDoubles(), dWt.toDoubles(), dBias.toDoubles(),
        dx.toDoubles()};
  }

  /** v in the slice [5, 5 + n) of a larger buffer. */
  private static Buf slice(Ops o, float[] v) {
    Buf b = o.alloc(v.length + 9).slice(5, v.length);
    o.upload(v, 0, b, 0, v.length);
    return b;
  }

  private float[] gauss(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static Ops withConv(String path) {
    String old = System.getProperty("pscreen2vec.conv");
    System.setProperty("pscreen2vec.conv", path);
    try {
      return new CpuOps(1);
    } finally {
      if (old == null) {
        System.clearProperty("pscreen2vec.conv");
      } else {
        System.setProperty("pscreen2vec.conv", old);
      }
    }
  }
}
