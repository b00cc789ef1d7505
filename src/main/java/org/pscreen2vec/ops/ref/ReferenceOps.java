package org.pscreen2vec.ops.ref;

import static org.pscreen2vec.ops.Checks.sameLength;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Checks;
import org.pscreen2vec.ops.DoubleBuf;
import org.pscreen2vec.ops.GemmCounters;
import org.pscreen2vec.ops.Ops;

/**
 * The double-precision reference backend: every kernel in plain Java over {@link Buf#get} and
 * {@link Buf#set}, written for clarity, not speed. Finite-difference gradient checks run the
 * model code on it, and the conformance suite checks every other backend against it. Its
 * kernels accept any {@link Buf}; its own buffers ({@link #alloc}) hold doubles.
 */
public final class ReferenceOps implements Ops {
  private final GemmCounters counters = new GemmCounters();

  @Override
  public String name() {
    return "java-double";
  }

  @Override
  public boolean isDouble() {
    return true;
  }

  @Override
  public Buf alloc(int n) {
    return new DoubleBuf(new double[n]);
  }

  @Override
  public GemmCounters counters() {
    return counters;
  }

  // ---------------------------------------------------------------- host transfers

  @Override
  public void upload(float[] src, int srcOff, Buf dst, int dstOff, int n) {
    Checks.transfer(dst, dstOff, src.length, srcOff, n);
    for (int i = 0; i < n; i++) {
      dst.set(dstOff + i, src[srcOff + i]);
    }
  }

  @Override
  public void download(Buf src, int srcOff, float[] dst, int dstOff, int n) {
    Checks.transfer(src, srcOff, dst.length, dstOff, n);
    for (int i = 0; i < n; i++) {
      dst[dstOff + i] = (float) src.get(srcOff + i);
    }
  }

  /** Null: the reference keeps doubles, never a float array to share. */
  @Override
  public float[] hostArray(Buf b) {
    return null;
  }

  // ---------------------------------------------------------------- matrix products

  @Override
  public void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    Checks.gemm(m, n, k, a, b, c);
    long t0 = System.nanoTime();
    double[] row = new double[n];
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(row, 0);
      for (int p = 0; p < k; p++) {
        double aip = ta ? a.get(p * m + i) : a.get(i * k + p);
        if (aip == 0) {
          continue;
        }
        if (tb) {
          for (int j = 0; j < n; j++) {
            row[j] += aip * b.get(j * k + p);
          }
        } else {
          int base = p * n;
          for (int j = 0; j < n; j++) {
            row[j] += aip * b.get(base + j);
          }
        }
      }
      for (int j = 0; j < n; j++) {
        double old = beta == 0 ? 0 : beta * c.get(i * n + j);
        c.set(i * n + j, old + alpha * row[j]);
      }
    }
    counters.add(ta, tb, m, n, k, System.nanoTime() - t0);
  }

  // ---------------------------------------------------------------- element-wise

  @Override
  public void fill(Buf x, double v) {
    for (int i = 0; i < x.length(); i++) {
      x.set(i, v);
    }
  }

  @Override
  public void copy(Buf src, Buf dst) {
    sameLength(src, dst);
    for (int i = 0; i < src.length(); i++) {
      dst.set(i, src.get(i));
    }
  }

  @Override
  public void axpy(double alpha, Buf x, Buf y) {
    sameLength(x, y);
    for (int i = 0; i < x.length(); i++) {
      y.set(i, y.get(i) + alpha * x.get(i));
    }
  }

  @Override
  public void scale(Buf x, double alpha) {
    for (int i = 0; i < x.length(); i++) {
      x.set(i, x.get(i) * alpha);
    }
  }

  @Override
  public void mul(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    for (int i = 0; i < a.length(); i++) {
      out.set(i, a.get(i) * b.get(i));
    }
  }

  @Override
  public void mulAddInto(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    for (int i = 0; i < a.length(); i++) {
      out.set(i, out.get(i) + a.get(i) * b.get(i));
    }
  }

  @Override
  public void relu(Buf x, Buf y) {
    sameLength(x, y);
    for (int i = 0; i < x.length(); i++) {
      y.set(i, Math.max(0, x.get(i)));
    }
  }

  @Override
  public void reluBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    for (int i = 0; i < y.length(); i++) {
      dx.set(i, y.get(i) > 0 ? dy.get(i) : 0);
    }
  }

  @Override
  public void tanh(Buf x, Buf y) {
    sameLength(x, y);
    for (int i = 0; i < x.length(); i++) {
      y.set(i, Math.tanh(x.get(i)));
    }
  }

  @Override
  public void tanhBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    for (int i = 0; i < y.length(); i++) {
      double v = y.get(i);
      dx.set(i, dy.get(i) * (1 - v * v));
    }
  }

  @Override
  public void sigmoid(Buf x, Buf y) {
    sameLength(x, y);
    for (int i = 0; i < x.length(); i++) {
      y.set(i, 1 / (1 + Math.exp(-x.get(i))));
    }
  }

  @Override
  public void sigmoidBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    for (int i = 0; i < y.length(); i++) {
      double v = y.get(i);
      dx.set(i, dy.get(i) * v * (1 - v));
    }
  }

  // ---------------------------------------------------------------- rows and columns

  @Override
  public void addRowVector(Buf x, int rows, int cols, Buf v) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        x.set(r * cols + j, x.get(r * cols + j) + v.get(j));
      }
    }
  }

  @Override
  public void sumRowsInto(Buf x, int rows, int cols, Buf out) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) {
        out.set(j, out.get(j) + x.get(r * cols + j));
      }
    }
  }

  @Override
  public void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol,
      int rows, int width) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < width; j++) {
        dst.set(r * dstCols + dstCol + j, src.get(r * srcCols + srcCol + j));
      }
    }
  }

  @Override
  public void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols) {
    for (int r = 0; r < keep.length; r++) {
      Buf from = keep[r] ? a : b;
      for (int j = 0; j < cols; j++) {
        out.set(r * cols + j, from.get(r * cols + j));
      }
    }
  }

  @Override
  public void zeroRows(boolean[] keep, Buf x, int cols) {
    for (int r = 0; r < keep.length; r++) {
      if (!keep[r]) {
        for (int j = 0; j < cols; j++) {
          x.set(r * cols + j, 0);
        }
      }
    }
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void gatherRows(Buf table, int dim, int[] ids, Buf out) {
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < dim; j++) {
        out.set(i * dim + j, table.get(ids[i] * dim + j));
      }
    }
  }

  @Override
  public void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable) {
    for (int i = 0; i < ids.length; i++) {
      for (int j = 0; j < dim; j++) {
        int t = ids[i] * dim + j;
        dTable.set(t, dTable.get(t) + dOut.get(i * dim + j));
      }
    }
  }

  @Override
  public void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out) {
    int bags = offsets.length - 1;
    double[] acc = new double[dim];
    for (int b = 0; b < bags; b++) {
      java.util.Arrays.fill(acc, 0);
      int from = offsets[b];
      int to = offsets[b + 1];
      for (int q = from; q < to; q++) {
        int base = ids[q] * dim;
        for (int j = 0; j < dim; j++) {
          acc[j] += table.get(base + j);
        }
      }
      double inv = to > from ? 1.0 / (to - from) : 0;
      for (int j = 0; j < dim; j++) {
        out.set(b * dim + j, acc[j] * inv);
      }
    }
  }

  @Override
  public void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows) {
    int bags = offsets.length - 1;
    for (int b = 0; b < bags; b++) {
      int from = offsets[b];
      int to = offsets[b + 1];
      if (to == from) {
        continue;
      }
      double inv = 1.0 / (to - from);
      for (int q = from; q < to; q++) {
        int base = slots[q] * dim;
        for (int j = 0; j < dim; j++) {
          dRows.set(base + j, dRows.get(base + j) + inv * dOut.get(b * dim + j));
        }
      }
    }
  }

  // ---------------------------------------------------------------- losses

  @Override
  public double softmaxCrossEntropy(Buf logits, int rows, int cols, int[] targets,
      boolean[] allowed, Buf dLogits, double scale) {
    double total = 0;
    double[] p = new double[cols];
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      int t = targets[r];
      if (t < 0 || t >= cols || (allowed != null && !allowed[base + t])) {
        throw new IllegalArgumentException("row " + r + ": target column " + t
            + " is outside the allowed candidates");
      }
      double max = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < cols; j++) {
        if (allowed == null || allowed[base + j]) {
          max = Math.max(max, logits.get(base + j));
        }
      }
      double sum = 0;
      for (int j = 0; j < cols; j++) {
        p[j] = allowed == null || allowed[base + j] ? Math.exp(logits.get(base + j) - max) : 0;
        sum += p[j];
      }
      total += Math.log(sum) + max - logits.get(base + t);
      for (int j = 0; j < cols; j++) {
        double g = p[j] / sum - (j == t ? 1 : 0);
        dLogits.set(base + j, scale * g);
      }
    }
    return total;
  }

  @Override
  public double squaredError(Buf pred, Buf target, Buf dPred, double scale) {
    sameLength(pred, target);
    sameLength(pred, dPred);
    double total = 0;
    for (int i = 0; i < pred.length(); i++) {
      double d = pred.get(i) - target.get(i);
      total += d * d;
      dPred.set(i, scale * 2 * d);
    }
    return total;
  }

  // ---------------------------------------------------------------- convolution (NHWC)

  @Override
  public void im2col(Buf x, int n, int h, int w, int c, int k, int pad, Buf cols) {
    int patch = k * k * c;
    for (int img = 0; img < n; img++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          int row = ((img * h + y) * w + xx) * patch;
          for (int ky = 0; ky < k; ky++) {
            int sy = y + ky - pad;
            for (int kx = 0; kx < k; kx++) {
              int sx = xx + kx - pad;
              boolean inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
              int dst = row + (ky * k + kx) * c;
              int src = ((img * h + sy) * w + sx) * c;
              for (int ch = 0; ch < c; ch++) {
                cols.set(dst + ch, inside ? x.get(src + ch) : 0);
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void col2im(Buf dCols, int n, int h, int w, int c, int k, int pad, Buf dx) {
    fill(dx, 0);
    int patch = k * k * c;
    for (int img = 0; img < n; img++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          int row = ((img * h + y) * w + xx) * patch;
          for (int ky = 0; ky < k; ky++) {
            int sy = y + ky - pad;
            for (int kx = 0; kx < k; kx++) {
              int sx = xx + kx - pad;
              if (sy < 0 || sy >= h || sx < 0 || sx >= w) {
                continue;
              }
              int src = row + (ky * k + kx) * c;
              int dst = ((img * h + sy) * w + sx) * c;
              for (int ch = 0; ch < c; ch++) {
                dx.set(dst + ch, dx.get(dst + ch) + dCols.get(src + ch));
              }
            }
          }
        }
      }
    }
  }

  @Override
  public void maxPool2(Buf x, int n, int h, int w, int c, Buf y, int[] argmax) {
    int oh = h / 2;
    int ow = w / 2;
    for (int img = 0; img < n; img++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int ch = 0; ch < c; ch++) {
            int best = -1;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int dy = 0; dy < 2; dy++) {
              for (int dx = 0; dx < 2; dx++) {
                int src = ((img * h + 2 * oy + dy) * w + 2 * ox + dx) * c + ch;
                double v = x.get(src);
                if (v > bestV) {
                  bestV = v;
                  best = src;
                }
              }
            }
            int dst = ((img * oh + oy) * ow + ox) * c + ch;
            y.set(dst, bestV);
            argmax[dst] = best;
          }
        }
      }
    }
  }

  @Override
  public void maxPool2Backward(Buf dy, int[] argmax, Buf dx) {
    fill(dx, 0);
    for (int i = 0; i < dy.length(); i++) {
      dx.set(argmax[i], dx.get(argmax[i]) + dy.get(i));
    }
  }

  // ---------------------------------------------------------------- optimizer updates

  @Override
  public void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu) {
    for (int i = 0; i < p.length(); i++) {
      double vi = mu * v.get(i) + g.get(i);
      v.set(i, vi);
      p.set(i, p.get(i) - lr * vi);
    }
  }

  @Override
  public void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps,
      long t) {
    double c1 = 1 - Math.pow(b1, t);
    double c2 = 1 - Math.pow(b2, t);
    for (int i = 0; i < p.length(); i++) {
      double gi = g.get(i);
      double mi = b1 * m.get(i) + (1 - b1) * gi;
      double vi = b2 * v.get(i) + (1 - b2) * gi * gi;
      m.set(i, mi);
      v.set(i, vi);
      p.set(i, p.get(i) - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
    }
  }

  @Override
  public void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr,
      double b1, double b2, double eps, long t) {
    double c1 = 1 - Math.pow(b1, t);
    double c2 = 1 - Math.pow(b2, t);
    for (int i = 0; i < ids.length; i++) {
      int base = ids[i] * dim;
      for (int j = 0; j < dim; j++) {
        double gi = rows.get(i * dim + j);
        double mi = b1 * m.get(base + j) + (1 - b1) * gi;
        double vi = b2 * v.get(base + j) + (1 - b2) * gi * gi;
        m.set(base + j, mi);
        v.set(base + j, vi);
        table.set(base + j, table.get(base + j) - lr * (mi / c1) / (Math.sqrt(vi / c2) + eps));
      }
    }
  }

  @Override
  public void sparseAdagrad(Buf table, int dim, int[] ids, Buf rows, Buf acc, double lr,
      double eps) {
    for (int i = 0; i < ids.length; i++) {
      int base = ids[i] * dim;
      for (int j = 0; j < dim; j++) {
        double gi = rows.get(i * dim + j);
        double a = acc.get(base + j) + gi * gi;
        acc.set(base + j, a);
        table.set(base + j, table.get(base + j) - lr * gi / (Math.sqrt(a) + eps));
      }
    }
  }

  // ---------------------------------------------------------------- fused layer steps

  /** The pair it fuses, in double. */
  @Override
  public void biasTanh(Buf x, int rows, int cols, Buf v) {
    Buf xs = x.slice(0, rows * cols);
    addRowVector(xs, rows, cols, v);
    tanh(xs, xs);
  }

  /** The pair it fuses, in double. */
  @Override
  public void tanhBackwardSumRows(Buf y, Buf dy, Buf dx, int rows, int cols, Buf out) {
    tanhBackward(y, dy, dx);
    sumRowsInto(dx, rows, cols, out);
  }

  @Override
  public void lstmCellForward(Buf gates, Buf cPrev, Buf c, Buf h, int rows, int hidden) {
    lstmShapes(gates, cPrev, c, h, rows, hidden);
    for (int r = 0; r < rows; r++) {
      int gr = r * 4 * hidden;
      for (int j = 0; j < hidden; j++) {
        int e = r * hidden + j;
        double i = 1 / (1 + Math.exp(-gates.get(gr + j)));
        double f = 1 / (1 + Math.exp(-gates.get(gr + hidden + j)));
        double g = Math.tanh(gates.get(gr + 2 * hidden + j));
        double o = 1 / (1 + Math.exp(-gates.get(gr + 3 * hidden + j)));
        gates.set(gr + j, i);
        gates.set(gr + hidden + j, f);
        gates.set(gr + 2 * hidden + j, g);
        gates.set(gr + 3 * hidden + j, o);
        double cv = f * cPrev.get(e) + i * g;
        c.set(e, cv);
        h.set(e, o * Math.tanh(cv));
      }
    }
  }

  @Override
  public void lstmCellBackward(Buf gates, Buf cPrev, Buf c, Buf dh, Buf dc, Buf dGates,
      Buf dcPrev, int rows, int hidden) {
    lstmShapes(gates, cPrev, c, dh, rows, hidden);
    lstmShapes(dGates, dcPrev, dc == null ? c : dc, dh, rows, hidden);
    for (int r = 0; r < rows; r++) {
      int gr = r * 4 * hidden;
      for (int j = 0; j < hidden; j++) {
        int e = r * hidden + j;
        double i = gates.get(gr + j);
        double f = gates.get(gr + hidden + j);
        double g = gates.get(gr + 2 * hidden + j);
        double o = gates.get(gr + 3 * hidden + j);
        double tc = Math.tanh(c.get(e));
        double dC = dh.get(e) * o * (1 - tc * tc) + (dc == null ? 0 : dc.get(e));
        dGates.set(gr + j, dC * g * i * (1 - i));
        dGates.set(gr + hidden + j, dC * cPrev.get(e) * f * (1 - f));
        dGates.set(gr + 2 * hidden + j, dC * i * (1 - g * g));
        dGates.set(gr + 3 * hidden + j, dh.get(e) * tc * o * (1 - o));
        dcPrev.set(e, dC * f);
      }
    }
  }

  /** gates (rows, 4 hidden), the others (rows, hidden) at least. */
  private static void lstmShapes(Buf gates, Buf a, Buf b, Buf d, int rows, int hidden) {
    long n = (long) rows * hidden;
    if (gates.length() < 4 * n || a.length() < n || b.length() < n || d.length() < n) {
      throw new IllegalArgumentException("LSTM cell of " + rows + " x " + hidden + " needs gates "
          + "of " + 4 * n + " and states of " + n + " elements");
    }
  }
}
