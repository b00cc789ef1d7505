package org.pscreen2vec.ops.cpu;

import org.pscreen2vec.ops.FloatBuf;

/** Float kernels of {@link CpuOps}: straight loops over the backing arrays. */
final class FloatKernels {
  private FloatKernels() {}

  /** Plain-Java C = alpha op(A) op(B) + beta C (small products; i-p-j order, row-major). */
  static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, FloatBuf a,
      FloatBuf b, float beta, FloatBuf c) {
    float[] av = a.array();
    float[] bv = b.array();
    float[] cv = c.array();
    int ao = a.offset();
    int bo = b.offset();
    int co = c.offset();
    float[] row = new float[n];
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(row, 0f);
      for (int p = 0; p < k; p++) {
        float aip = ta ? av[ao + p * m + i] : av[ao + i * k + p];
        if (aip == 0f) {
          continue;
        }
        if (tb) {
          for (int j = 0; j < n; j++) {
            row[j] += aip * bv[bo + j * k + p];
          }
        } else {
          int base = bo + p * n;
          for (int j = 0; j < n; j++) {
            row[j] += aip * bv[base + j];
          }
        }
      }
      int cb = co + i * n;
      for (int j = 0; j < n; j++) {
        cv[cb + j] = (beta == 0f ? 0f : beta * cv[cb + j]) + alpha * row[j];
      }
    }
  }

  static void axpy(float alpha, FloatBuf x, FloatBuf y) {
    float[] xv = x.array();
    float[] yv = y.array();
    int xo = x.offset();
    int yo = y.offset();
    for (int i = 0, n = x.length(); i < n; i++) {
      yv[yo + i] += alpha * xv[xo + i];
    }
  }

  static void scale(FloatBuf x, float alpha) {
    float[] a = x.array();
    for (int i = x.offset(), e = x.offset() + x.length(); i < e; i++) {
      a[i] *= alpha;
    }
  }

  static void relu(FloatBuf x, FloatBuf y) {
    float[] xv = x.array();
    float[] yv = y.array();
    int xo = x.offset();
    int yo = y.offset();
    if (xo == yo) { // in place, or at equal offsets: one index, which C2 vectorizes (issue 15)
      for (int i = xo, e = xo + x.length(); i < e; i++) {
        yv[i] = Math.max(0f, xv[i]);
      }
      return;
    }
    for (int i = 0, n = x.length(); i < n; i++) {
      yv[yo + i] = Math.max(0f, xv[xo + i]);
    }
  }

  static void reluBackward(FloatBuf y, FloatBuf dy, FloatBuf dx) {
    float[] yv = y.array();
    float[] gv = dy.array();
    float[] dv = dx.array();
    int yo = y.offset();
    int go = dy.offset();
    int d0 = dx.offset();
    // Branch-free (half the signs of a ReLU layer are random: a branch mispredicts; 2.5x faster
    // measured on 401k floats): keep the bits of dy where y > 0, else +0. y's bits b are > 0 and
    // <= those of +infinity exactly when y > 0 (not for +0, negatives, -0 or NaN).
    for (int i = 0, n = y.length(); i < n; i++) {
      int b = Float.floatToRawIntBits(yv[yo + i]);
      int drop = ((b - 1) | (0x7F800000 - b)) >> 31;
      dv[d0 + i] = Float.intBitsToFloat(Float.floatToRawIntBits(gv[go + i]) & ~drop);
    }
  }

  static void addRowVector(FloatBuf x, int rows, int cols, FloatBuf v) {
    float[] xv = x.array();
    float[] vv = v.array();
    int vo = v.offset();
    for (int r = 0; r < rows; r++) {
      int base = x.offset() + r * cols;
      for (int j = 0; j < cols; j++) {
        xv[base + j] += vv[vo + j];
      }
    }
  }

  static void sumRowsInto(FloatBuf x, int rows, int cols, FloatBuf out) {
    float[] xv = x.array();
    float[] ov = out.array();
    int oo = out.offset();
    for (int r = 0; r < rows; r++) {
      int base = x.offset() + r * cols;
      for (int j = 0; j < cols; j++) {
        ov[oo + j] += xv[base + j];
      }
    }
  }

  /** Columns [j0, j1) of every bag's mean (a column's sums never read another column). */
  static void bagMean(FloatBuf table, int dim, int[] ids, int[] offsets, FloatBuf out, int j0,
      int j1) {
    float[] tv = table.array();
    float[] ov = out.array();
    int to0 = table.offset();
    for (int b = 0; b < offsets.length - 1; b++) {
      int ob = out.offset() + b * dim;
      java.util.Arrays.fill(ov, ob + j0, ob + j1, 0f);
      int from = offsets[b];
      int to = offsets[b + 1];
      for (int q = from; q < to; q++) {
        int base = to0 + ids[q] * dim;
        if (DirectConv.VECTOR) { // two offsets: plain Java does not vectorize (VectorRows)
          VectorRows.add(ov, ob + j0, tv, base + j0, j1 - j0);
          continue;
        }
        for (int j = j0; j < j1; j++) {
          ov[ob + j] += tv[base + j];
        }
      }
      if (to > from) {
        float inv = 1f / (to - from);
        for (int j = j0; j < j1; j++) {
          ov[ob + j] *= inv;
        }
      }
    }
  }

  static void sgdMomentum(FloatBuf p, FloatBuf g, FloatBuf v, float lr, float mu) {
    float[] pv = p.array();
    float[] gv = g.array();
    float[] vv = v.array();
    int po = p.offset();
    int go = g.offset();
    int vo = v.offset();
    for (int i = 0, n = p.length(); i < n; i++) {
      float vi = mu * vv[vo + i] + gv[go + i];
      vv[vo + i] = vi;
      pv[po + i] -= lr * vi;
    }
  }
}
