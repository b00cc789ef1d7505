package org.pscreen2vec.ops.cpu;

import org.pscreen2vec.ops.FloatBuf;

/**
 * More float kernels of {@link CpuOps}: element-wise non-linearities, row moves, embeddings,
 * losses, convolution helpers and the sparse optimizers. Same semantics as the reference
 * ({@link org.pscreen2vec.ops.ref.ReferenceOps}), checked by the conformance suite.
 */
final class FloatKernels2 {
  private FloatKernels2() {}

  static void tanh(FloatBuf x, FloatBuf y) {
    float[] a = x.array();
    float[] b = y.array();
    for (int i = 0, n = x.length(), xo = x.offset(), yo = y.offset(); i < n; i++) {
      // 1 - 2 / (e^2x + 1): Math.exp is an intrinsic, Math.tanh a slow StrictMath call that
      // showed up in profiles of the screen RNN; exact to float precision, saturates cleanly.
      b[yo + i] = (float) (1 - 2 / (Math.exp(2.0 * a[xo + i]) + 1));
    }
  }

  static void tanhBackward(FloatBuf y, FloatBuf dy, FloatBuf dx) {
    float[] yv = y.array();
    float[] g = dy.array();
    float[] d = dx.array();
    for (int i = 0, n = y.length(); i < n; i++) {
      float v = yv[y.offset() + i];
      d[dx.offset() + i] = g[dy.offset() + i] * (1 - v * v);
    }
  }

  static void sigmoid(FloatBuf x, FloatBuf y) {
    float[] a = x.array();
    float[] b = y.array();
    for (int i = 0, n = x.length(), xo = x.offset(), yo = y.offset(); i < n; i++) {
      b[yo + i] = (float) (1 / (1 + Math.exp(-a[xo + i])));
    }
  }

  static void sigmoidBackward(FloatBuf y, FloatBuf dy, FloatBuf dx) {
    float[] yv = y.array();
    float[] g = dy.array();
    float[] d = dx.array();
    for (int i = 0, n = y.length(); i < n; i++) {
      float v = yv[y.offset() + i];
      d[dx.offset() + i] = g[dy.offset() + i] * v * (1 - v);
    }
  }

  static void mul(FloatBuf a, FloatBuf b, FloatBuf out, boolean accumulate) {
    float[] av = a.array();
    float[] bv = b.array();
    float[] ov = out.array();
    for (int i = 0, n = a.length(); i < n; i++) {
      float p = av[a.offset() + i] * bv[b.offset() + i];
      ov[out.offset() + i] = accumulate ? ov[out.offset() + i] + p : p;
    }
  }

  static void copyColumns(FloatBuf src, int srcCols, int srcCol, FloatBuf dst, int dstCols,
      int dstCol, int rows, int width) {
    for (int r = 0; r < rows; r++) {
      System.arraycopy(src.array(), src.offset() + r * srcCols + srcCol, dst.array(),
          dst.offset() + r * dstCols + dstCol, width);
    }
  }

  static void selectRows(boolean[] keep, FloatBuf a, FloatBuf b, FloatBuf out, int cols) {
    for (int r = 0; r < keep.length; r++) {
      FloatBuf from = keep[r] ? a : b;
      if (from != out || from.offset() != out.offset()) {
        System.arraycopy(from.array(), from.offset() + r * cols, out.array(),
            out.offset() + r * cols, cols);
      }
    }
  }

  static void zeroRows(boolean[] keep, FloatBuf x, int cols) {
    for (int r = 0; r < keep.length; r++) {
      if (!keep[r]) {
        int from = x.offset() + r * cols;
        java.util.Arrays.fill(x.array(), from, from + cols, 0f);
      }
    }
  }

  static void gatherRows(FloatBuf table, int dim, int[] ids, FloatBuf out) {
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(table.array(), table.offset() + ids[i] * dim, out.array(),
          out.offset() + i * dim, dim);
    }
  }

  static void scatterAddRows(FloatBuf dOut, int dim, int[] ids, FloatBuf dTable) {
    float[] s = dOut.array();
    float[] t = dTable.array();
    for (int i = 0; i < ids.length; i++) {
      int so = dOut.offset() + i * dim;
      int to = dTable.offset() + ids[i] * dim;
      for (int j = 0; j < dim; j++) {
        t[to + j] += s[so + j];
      }
    }
  }

  /** Columns [j0, j1) of the bags' mean backward (a column's sums never read another column). */
  static void bagMeanBackward(FloatBuf dOut, int dim, int[] slots, int[] offsets,
      FloatBuf dRows, int j0, int j1) {
    float[] g = dOut.array();
    float[] d = dRows.array();
    for (int b = 0; b < offsets.length - 1; b++) {
      int from = offsets[b];
      int to = offsets[b + 1];
      if (to == from) {
        continue;
      }
      float inv = 1f / (to - from);
      int go = dOut.offset() + b * dim;
      for (int q = from; q < to; q++) {
        int ro = dRows.offset() + slots[q] * dim;
        if (DirectConv.VECTOR) { // two offsets: plain Java does not vectorize (VectorRows)
          VectorRows.addScaled(d, ro + j0, inv, g, go + j0, j1 - j0);
          continue;
        }
        for (int j = j0; j < j1; j++) {
          d[ro + j] += inv * g[go + j];
        }
      }
    }
  }

  /**
   * Row-wise masked softmax cross-entropy (see {@link org.pscreen2vec.ops.Ops#softmaxCrossEntropy}),
   * the reference's algorithm over the arrays: exponentials staged in double (dLogits may alias
   * logits: every logit of a row is read before the row's gradient is written). Staging in
   * float in dLogits instead measured 1.4-2.7x slower without a mask (C2, JDK 17).
   */
  static double softmaxCrossEntropy(FloatBuf logits, int rows, int cols, int[] targets,
      boolean[] allowed, FloatBuf dLogits, double scale) {
    float[] x = logits.array();
    float[] d = dLogits.array();
    double[] p = new double[cols]; // (cols) one row's exponentials
    double total = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols; // row start in allowed
      int xb = logits.offset() + base;
      int db = dLogits.offset() + base;
      int t = targets[r];
      if (t < 0 || t >= cols || (allowed != null && !allowed[base + t])) {
        throw new IllegalArgumentException("row " + r + ": target column " + t
            + " is outside the allowed candidates");
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        if (allowed == null || allowed[base + j]) {
          max = Math.max(max, x[xb + j]);
        }
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        p[j] = allowed == null || allowed[base + j] ? Math.exp(x[xb + j] - max) : 0;
        sum += p[j];
      }
      total += Math.log(sum) + max - x[xb + t];
      for (int j = 0; j < cols; j++) {
        double g = p[j] / sum - (j == t ? 1 : 0);
        d[db + j] = (float) (scale * g);
      }
    }
    return total;
  }

  static double squaredError(FloatBuf p, FloatBuf t, FloatBuf d, double scale) {
    float[] pv = p.array();
    float[] tv = t.array();
    float[] dv = d.array();
    float s2 = (float) (2 * scale);
    double total = 0;
    for (int i = 0, n = p.length(); i < n; i++) {
      float e = pv[p.offset() + i] - tv[t.offset() + i];
      total += e * e;
      dv[d.offset() + i] = s2 * e;
    }
    return total;
  }

  static void sparseAdam(FloatBuf table, int dim, int[] ids, FloatBuf rows, FloatBuf m,
      FloatBuf v, double lr, double b1, double b2, double eps, long t) {
    float step = (float) (lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)));
    float e = (float) (eps * Math.sqrt(1 - Math.pow(b2, t)));
    float fb1 = (float) b1;
    float fb2 = (float) b2;
    float[] p = table.array();
    float[] g = rows.array();
    float[] mv = m.array();
    float[] vv = v.array();
    for (int i = 0; i < ids.length; i++) {
      int base = ids[i] * dim;
      for (int j = 0; j < dim; j++) {
        float gi = g[rows.offset() + i * dim + j];
        int q = base + j;
        float mi = fb1 * mv[m.offset() + q] + (1 - fb1) * gi;
        float vi = fb2 * vv[v.offset() + q] + (1 - fb2) * gi * gi;
        mv[m.offset() + q] = mi;
        vv[v.offset() + q] = vi;
        p[table.offset() + q] -= step * mi / ((float) Math.sqrt(vi) + e);
      }
    }
  }

  static void sparseAdagrad(FloatBuf table, int dim, int[] ids, FloatBuf rows, FloatBuf acc,
      float lr, float eps) {
    float[] p = table.array();
    float[] g = rows.array();
    float[] a = acc.array();
    for (int i = 0; i < ids.length; i++) {
      int base = ids[i] * dim;
      int gb = rows.offset() + i * dim;
      for (int j = 0; j < dim; j++) {
        float gi = g[gb + j];
        int q = base + j;
        float ai = a[acc.offset() + q] + gi * gi;
        a[acc.offset() + q] = ai;
        p[table.offset() + q] -= lr * gi / ((float) Math.sqrt(ai) + eps);
      }
    }
  }
}
