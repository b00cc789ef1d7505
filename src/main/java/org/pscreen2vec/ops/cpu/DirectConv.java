package org.pscreen2vec.ops.cpu;

import java.util.Arrays;

/**
 * Direct convolution on NHWC images for {@link CpuOps#conv2d} and {@link CpuOps#conv2dBackward}
 * (k x k kernel, stride 1, zero padding p = k / 2): no patch matrix, no matrix product.
 *
 * <p>Why: im2col + one GEMM per batch spent most of a Fashion CNN step around the product (a
 * 10 MB patch matrix written and read per layer, copied into ND4J's off-heap memory and back),
 * and the products themselves, with 8 or 16 output channels, ran at 25-45 GFLOP/s
 * (docs/PERFORMANCE.md, issue 15). Here the operands are repacked into groups of {@link
 * ConvTaps#NB} images, one row per (group, image row, channel) holding (column + p, image) with
 * the images innermost and p zero columns on each side; one kernel row against one packed input
 * row is then a unit-stride loop with five shifted loads ({@link ConvTaps}). Repacking costs a
 * pass over each activation, small against the k k channels passes of the arithmetic. The
 * input gradient is the same correlation of the packed output gradient with the kernel flipped
 * and its channel axes swapped; the weight gradient accumulates row products per kernel tap.
 *
 * <p>One instance per thread: it keeps its work rows between calls, per role and row length (a
 * CNN step asks for the same sizes every time); sets of rows above {@link #KEEP_LIMIT} floats
 * are not kept.
 */
final class DirectConv {
  static final int KEEP_LIMIT = 16 << 20;
  /**
   * Whether the JVM has the Vector API ({@code --add-modules jdk.incubator.vector}): the 5 x 5
   * weight gradient then runs {@link VectorConv}, else the plain-Java loops here. {@code
   * -Dpscreen2vec.vector=false} keeps the plain loops (how the two are compared in one run).
   */
  static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
      && !"false".equals(System.getProperty("pscreen2vec.vector"));

  static {
    org.apache.logging.log4j.LogManager.getLogger(DirectConv.class).info(VECTOR
        ? "convolution weight gradients: Vector API (jdk.incubator.vector)"
        : "convolution weight gradients: plain Java (the JVM has no jdk.incubator.vector)");
  }

  private final VectorConv vector;

  DirectConv() {
    this(VECTOR);
  }

  /** With the Vector API's weight gradient or not (the module must be present for true). */
  DirectConv(boolean useVector) {
    vector = useVector ? new VectorConv() : null;
  }
  private static final int NB = ConvTaps.NB;
  // Roles of the work rows: one set per role and row length, so that the two layers of a CNN,
  // whose rows differ in length, each keep theirs (7 MB a step were allocated before).
  private static final int IN = 0; // packed input: (group, h, cin) rows of (w + 2p) NB
  private static final int GRAD = 1; // packed output gradient: (group, h, cout) rows
  private static final int OUT = 2; // one (group, output row): (channel) rows of w NB
  private static final int ACC = 3; // weight-gradient accumulators: rows of w NB
  private static final int BIAS = 5; // bias-gradient accumulators: one per channel
  private final java.util.Map<Long, float[][]> pool = new java.util.HashMap<>();
  private float[] taps = new float[0]; // flipped kernel (k, k, cout, cin)

  /** y(n, h, w, cout) = conv(x, wt) + bias; wt is (k, k, cin, cout), the im2col path's matrix. */
  void forward(float[] x, int xo, int n, int h, int w, int cin, int k, float[] wt, int wo,
      float[] bias, int bo, int cout, float[] y, int yo) {
    float[][] xr = pack(rows(IN, packedRows(n, h, cin), (w + k / 2 * 2) * NB), x, xo, n, h, w,
        cin, k / 2);
    correlate(xr, cin, wt, wo, bias, bo, cout, n, h, w, k, y, yo);
  }

  /**
   * dWt += sum over pixels of patch x dy, dBias += column sums of dy, and dx = the input
   * gradient (when dx is not null).
   */
  void backward(float[] x, int xo, int n, int h, int w, int cin, int k, float[] wt, int wo,
      int cout, float[] dy, int dyo, float[] dWt, int dwo, float[] dBias, int dbo, float[] dx,
      int dxo) {
    int p = k / 2;
    float[][] xr = pack(rows(IN, packedRows(n, h, cin), (w + 2 * p) * NB), x, xo, n, h, w, cin,
        p);
    float[][] gr = pack(rows(GRAD, packedRows(n, h, cout), (w + 2 * p) * NB), dy, dyo, n, h, w,
        cout, p);
    biasGradient(gr, packedRows(n, h, cout), cout, (w + 2 * p) * NB, dBias, dbo);
    weightGradient(xr, gr, n, h, w, cin, cout, k, dWt, dwo);
    if (dx == null) {
      return;
    }
    float[] t = taps = taps.length >= k * k * cin * cout ? taps : new float[k * k * cin * cout];
    for (int ky = 0; ky < k; ky++) {
      for (int kx = 0; kx < k; kx++) {
        int src = wo + ((k - 1 - ky) * k + (k - 1 - kx)) * cin * cout; // (ci, co) block
        int dst = (ky * k + kx) * cout * cin; // (co, ci) block
        for (int ci = 0; ci < cin; ci++) {
          for (int co = 0; co < cout; co++) {
            t[dst + co * cin + ci] = wt[src + ci * cout + co];
          }
        }
      }
    }
    correlate(gr, cout, t, 0, null, 0, cin, n, h, w, k, dx, dxo);
  }

  /**
   * y(n, h, w, cd) at yo = bias + sum over ky, cs, kx of t[ky, kx, cs, cd] * the packed src at
   * (oy + ky - p, cs, ox + kx); rows outside the image are skipped.
   */
  private void correlate(float[][] src, int cs, float[] t, int to, float[] bias, int bo, int cd,
      int n, int h, int w, int k, float[] y, int yo) {
    int len = w * NB; // one output row of a group
    float[][] a = rows(OUT, cd, len);
    for (int g = 0, groups = (n + NB - 1) / NB; g < groups; g++) {
      for (int oy = 0; oy < h; oy++) {
        for (int co = 0; co < cd; co++) {
          Arrays.fill(a[co], 0, len, bias == null ? 0f : bias[bo + co]);
        }
        int done = k == 5 && vector != null // channels done in blocks of 4 with the Vector API
            ? vector.correlateRow5(a, src, g, oy, h, cs, t, to, cd, len) : 0;
        correlateRow(a, src, g, oy, h, cs, t, to, cd, k, len, done);
        int real = Math.min(NB, n - g * NB); // the group's real images into NHWC
        for (int co = 0; co < cd; co++) { // one row of a at a time: no a[co] in the inner loop
          float[] ac = a[co];
          for (int b = 0; b < real; b++) {
            for (int ox = 0, d = yo + ((g * NB + b) * h + oy) * w * cd + co, j = b; ox < w;
                ox++, d += cd, j += NB) {
              y[d] = ac[j];
            }
          }
        }
      }
    }
  }

  /**
   * The plain-Java accumulation of one output row of {@link #correlate} into a, for the output
   * channels from co0 on.
   */
  private static void correlateRow(float[][] a, float[][] src, int g, int oy, int h, int cs,
      float[] t, int to, int cd, int k, int len, int co0) {
    int p = k / 2;
    int kxStride = cs * cd; // between the taps of one kernel row
    for (int ky = Math.max(0, p - oy); ky < k && oy + ky - p < h; ky++) {
      for (int ci = 0; ci < cs; ci++) {
        float[] xr = src[(g * h + oy + ky - p) * cs + ci];
        int tt = to + (ky * k * cs + ci) * cd + co0; // tap (ky, 0, ci, co0)
        for (int co = co0; co < cd; co++, tt++) {
          if (k == 5) {
            ConvTaps.row5(a[co], xr, len, t[tt], t[tt + kxStride], t[tt + 2 * kxStride],
                t[tt + 3 * kxStride], t[tt + 4 * kxStride]);
          } else {
            for (int kx = 0; kx < k; kx++) {
              ConvTaps.row1(a[co], xr, kx * NB, len, t[tt + kx * kxStride]);
            }
          }
        }
      }
    }
  }

  /**
   * dWt(k, k, cin, cout) += sum over pixels of the packed input times the packed gradient. For
   * k = 5 the tap loops read both operands at constant offsets, one loop per kernel column
   * ({@link ConvTaps#acc2}); each input row was copied once per kernel column before.
   */
  private void weightGradient(float[][] xr, float[][] gr, int n, int h, int w, int cin,
      int cout, int k, float[] dWt, int dwo) {
    int p = k / 2;
    int len = w * NB;
    int groups = (n + NB - 1) / NB;
    if (k == 5 && vector != null) {
      vector.weightGradient5(xr, gr, n, h, w, cin, cout, dWt, dwo);
      return;
    }
    if (k == 5) {
      float[][] t = rows(ACC, Math.max(k, cout), len); // one accumulator per output channel
      for (int ky = 0; ky < 5; ky++) {
        int oy0 = Math.max(0, p - ky);
        int oy1 = Math.min(h, h + p - ky); // oy + ky - p < h
        for (int ci = 0; ci < cin; ci++) {
          for (int kx = 0; kx < 5; kx++) {
            for (int co = 0; co < cout; co++) {
              Arrays.fill(t[co], 0, len, 0f);
            }
            // rows (g, oy) two at a time: the two input rows stay in L1 for every channel
            int pending = -1; // the row waiting for a partner, or -1
            for (int g = 0; g < groups; g++) {
              for (int oy = oy0; oy < oy1; oy++) {
                int r = g * h + oy;
                if (pending < 0) {
                  pending = r;
                  continue;
                }
                float[] x0 = xr[(pending + ky - p) * cin + ci];
                float[] x1 = xr[(r + ky - p) * cin + ci];
                for (int co = 0; co < cout; co++) {
                  ConvTaps.acc2(kx, t[co], x0, gr[pending * cout + co], x1, gr[r * cout + co],
                      len);
                }
                pending = -1;
              }
            }
            if (pending >= 0) {
              float[] x0 = xr[(pending + ky - p) * cin + ci];
              for (int co = 0; co < cout; co++) {
                ConvTaps.acc(kx, t[co], x0, gr[pending * cout + co], len);
              }
            }
            for (int co = 0; co < cout; co++) {
              dWt[dwo + ((ky * 5 + kx) * cin + ci) * cout + co] += (float) ConvTaps.sum(t[co], len);
            }
          }
        }
      }
      return;
    }
    float[][] a = rows(ACC, Math.max(k, cout), len);
    for (int ky = 0; ky < k; ky++) { // any other kernel width: one tap at a time, scalar
      for (int ci = 0; ci < cin; ci++) {
        for (int co = 0; co < cout; co++) {
          for (int kx = 0; kx < k; kx++) {
            Arrays.fill(a[kx], 0, len, 0f);
          }
          for (int g = 0; g < groups; g++) {
            for (int oy = Math.max(0, p - ky); oy < h && oy + ky - p < h; oy++) {
              float[] xs = xr[(g * h + oy + ky - p) * cin + ci];
              float[] gs = gr[(g * h + oy) * cout + co];
              for (int kx = 0; kx < k; kx++) {
                ConvTaps.acc1(a[kx], xs, kx * NB, gs, p * NB, len);
              }
            }
          }
          for (int kx = 0; kx < k; kx++) {
            dWt[dwo + ((ky * k + kx) * cin + ci) * cout + co] += (float) ConvTaps.sum(a[kx], len);
          }
        }
      }
    }
  }

  /**
   * dBias(c) += the sums of the packed gradient rows (rows of len floats, channel innermost of
   * the row index; padding and missing images are zeros): each channel's rows added into one
   * accumulator row (unit stride, vectorized), which is then summed in double.
   */
  private void biasGradient(float[][] gr, int rows, int c, int len, float[] db, int dbo) {
    float[][] a = rows(BIAS, c, len);
    for (int ch = 0; ch < c; ch++) {
      Arrays.fill(a[ch], 0, len, 0f);
    }
    for (int r = 0; r < rows; r++) {
      ConvTaps.add(a[r % c], gr[r], len);
    }
    for (int ch = 0; ch < c; ch++) {
      db[dbo + ch] += (float) ConvTaps.sum(a[ch], len);
    }
  }

  /**
   * x(n, h, w, c) at xo packed into rows (group, row, channel) of (w + 2p) NB floats, (column +
   * p, image in group) innermost, zeros in the padding columns and missing images, written into
   * r (at least that many rows of that length); returns r.
   */
  static float[][] pack(float[][] r, float[] x, int xo, int n, int h, int w, int c, int p) {
    int groups = (n + NB - 1) / NB;
    int wp = w + 2 * p;
    int image = h * w * c; // floats of one image of x
    for (int g = 0; g < groups; g++) {
      int real = Math.min(NB, n - g * NB); // images of this group (the last may have fewer)
      for (int y = 0; y < h; y++) {
        int r0 = (g * h + y) * c; // the rows (g, y, 0 .. c)
        for (int ch = 0; ch < c; ch++) {
          float[] row = r[r0 + ch];
          if (real < NB) {
            Arrays.fill(row, 0f);
          } else {
            Arrays.fill(row, 0, p * NB, 0f);
            Arrays.fill(row, (p + w) * NB, wp * NB, 0f);
          }
        }
        // x's image row is read in order (the channels of one pixel are adjacent), so the
        // scattered side is the c rows being written, which stay in L1
        for (int b = 0; b < real; b++) {
          int s = xo + ((g * NB + b) * h + y) * w * c; // (image, row y, column 0, channel 0)
          for (int xx = 0, d = p * NB + b; xx < w; xx++, d += NB) {
            for (int ch = 0; ch < c; ch++, s++) {
              r[r0 + ch][d] = x[s];
            }
          }
        }
      }
    }
    return r;
  }

  /** Rows of a packed operand: (group, image row, channel). */
  private static int packedRows(int n, int h, int c) {
    return (n + NB - 1) / NB * h * c;
  }

  /**
   * At least count rows of len floats for a role: the kept ones when there are enough, else new
   * ones, kept unless they exceed {@link #KEEP_LIMIT} floats.
   */
  private float[][] rows(int role, int count, int len) {
    long key = ((long) role << 32) | len;
    float[][] r = pool.get(key);
    if (r != null && r.length >= count) {
      return r;
    }
    r = new float[count][len];
    if (pool.size() > 32) {
      pool.clear(); // many geometries (varying batch shapes): start over
    }
    if ((long) count * len <= KEEP_LIMIT) {
      pool.put(key, r);
    }
    return r;
  }

  /**
   * Throws unless k is odd and every buffer holds its shape: x (n, h, w, cin), wt (k k cin,
   * cout), y (n, h, w, cout), bias (cout), scratch at least the given floats.
   */
  static void check(String what, org.pscreen2vec.ops.Buf x, int n, int h, int w, int cin, int k,
      org.pscreen2vec.ops.Buf wt, int cout, org.pscreen2vec.ops.Buf y,
      org.pscreen2vec.ops.Buf bias, org.pscreen2vec.ops.Buf scratch, long scratchLength) {
    if (n < 0 || h < 0 || w < 0 || cin < 0 || cout < 0 || k < 1 || k % 2 != 1) {
      throw new IllegalArgumentException(what + ": bad geometry n " + n + ", h " + h + ", w " + w
          + ", cin " + cin + ", cout " + cout + ", k " + k + " (k must be odd)");
    }
    long pixels = (long) n * h * w;
    if (x.length() != pixels * cin || wt.length() != (long) k * k * cin * cout
        || y.length() != pixels * cout || bias.length() != cout
        || (scratchLength > 0 && (scratch == null || scratch.length() < scratchLength))) {
      throw new IllegalArgumentException(String.format("%s (n %d, h %d, w %d, cin %d, cout %d,"
          + " k %d): buffer lengths x %d, weights %d, output %d, bias %d, scratch %s", what, n, h,
          w, cin, cout, k, x.length(), wt.length(), y.length(), bias.length(),
          scratch == null ? "null" : String.valueOf(scratch.length())));
    }
  }

}
