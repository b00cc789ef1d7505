package org.pscreen2vec.ops;

/**
 * Float buffers, every kernel in plain Java over the backing arrays (the fast paths of
 * {@link FloatKernels} and {@link FloatKernels2}), products included. Needs no native code: what
 * {@link JavaOps#floats()} returns (parameter servers apply optimizers with it), and the base of
 * {@link CpuOps}, which adds ND4J's GEMM.
 */
public class JavaFloatOps extends JavaOps {
  public JavaFloatOps() {
    super(false);
  }

  @Override
  public String name() {
    return "java-float";
  }

  @Override
  public void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    checkGemm(m, n, k, a, b, c);
    if (m == 0 || n == 0) {
      return;
    }
    long t0 = System.nanoTime();
    if (k == 0) {
      scale(c.slice(0, m * n), beta);
    } else {
      FloatKernels.gemm(ta, tb, m, n, k, (float) alpha, (FloatBuf) a, (FloatBuf) b,
          (float) beta, (FloatBuf) c);
    }
    counters().add(ta, tb, m, n, k, System.nanoTime() - t0);
  }

  @Override
  public Buf alloc(int n) {
    return new FloatBuf(new float[n]);
  }

  @Override
  public void fill(Buf x, double v) {
    FloatBuf f = (FloatBuf) x;
    java.util.Arrays.fill(f.array(), f.offset(), f.offset() + f.length(), (float) v);
  }

  @Override
  public void copy(Buf src, Buf dst) {
    sameLength(src, dst);
    FloatBuf s = (FloatBuf) src;
    FloatBuf d = (FloatBuf) dst;
    System.arraycopy(s.array(), s.offset(), d.array(), d.offset(), s.length());
  }

  @Override
  public void axpy(double alpha, Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels.axpy((float) alpha, (FloatBuf) x, (FloatBuf) y);
  }

  @Override
  public void scale(Buf x, double alpha) {
    FloatBuf f = (FloatBuf) x;
    float[] a = f.array();
    float s = (float) alpha;
    for (int i = f.offset(), e = f.offset() + f.length(); i < e; i++) {
      a[i] *= s;
    }
  }

  @Override
  public void relu(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels.relu((FloatBuf) x, (FloatBuf) y);
  }

  @Override
  public void reluBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels.reluBackward((FloatBuf) y, (FloatBuf) dy, (FloatBuf) dx);
  }

  @Override
  public void addRowVector(Buf x, int rows, int cols, Buf v) {
    FloatKernels.addRowVector((FloatBuf) x, rows, cols, (FloatBuf) v);
  }

  @Override
  public void sumRowsInto(Buf x, int rows, int cols, Buf out) {
    FloatKernels.sumRowsInto((FloatBuf) x, rows, cols, (FloatBuf) out);
  }

  @Override
  public void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out) {
    FloatKernels.bagMean((FloatBuf) table, dim, ids, offsets, (FloatBuf) out);
  }

  @Override
  public void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu) {
    FloatKernels.sgdMomentum((FloatBuf) p, (FloatBuf) g, (FloatBuf) v, (float) lr, (float) mu);
  }

  @Override
  public void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps,
      long t) {
    FloatKernels.adam((FloatBuf) p, (FloatBuf) g, (FloatBuf) m, (FloatBuf) v, lr, b1, b2, eps, t);
  }

  @Override
  public void tanh(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels2.tanh((FloatBuf) x, (FloatBuf) y);
  }

  @Override
  public void tanhBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels2.tanhBackward((FloatBuf) y, (FloatBuf) dy, (FloatBuf) dx);
  }

  @Override
  public void sigmoid(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels2.sigmoid((FloatBuf) x, (FloatBuf) y);
  }

  @Override
  public void sigmoidBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels2.sigmoidBackward((FloatBuf) y, (FloatBuf) dy, (FloatBuf) dx);
  }

  @Override
  public void mul(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    FloatKernels2.mul((FloatBuf) a, (FloatBuf) b, (FloatBuf) out, false);
  }

  @Override
  public void mulAddInto(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    FloatKernels2.mul((FloatBuf) a, (FloatBuf) b, (FloatBuf) out, true);
  }

  @Override
  public void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol,
      int rows, int width) {
    FloatKernels2.copyColumns((FloatBuf) src, srcCols, srcCol, (FloatBuf) dst, dstCols, dstCol,
        rows, width);
  }

  @Override
  public void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols) {
    FloatKernels2.selectRows(keep, (FloatBuf) a, (FloatBuf) b, (FloatBuf) out, cols);
  }

  @Override
  public void gatherRows(Buf table, int dim, int[] ids, Buf out) {
    FloatKernels2.gatherRows((FloatBuf) table, dim, ids, (FloatBuf) out);
  }

  @Override
  public void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable) {
    FloatKernels2.scatterAddRows((FloatBuf) dOut, dim, ids, (FloatBuf) dTable);
  }

  @Override
  public void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows) {
    FloatKernels2.bagMeanBackward((FloatBuf) dOut, dim, slots, offsets, (FloatBuf) dRows);
  }

  @Override
  public double squaredError(Buf pred, Buf target, Buf dPred, double scale) {
    sameLength(pred, target);
    sameLength(pred, dPred);
    return FloatKernels2.squaredError((FloatBuf) pred, (FloatBuf) target, (FloatBuf) dPred,
        scale);
  }

  @Override
  public void im2col(Buf x, int n, int h, int w, int c, int k, int pad, Buf cols) {
    FloatKernels2.im2col((FloatBuf) x, n, h, w, c, k, pad, (FloatBuf) cols);
  }

  @Override
  public void col2im(Buf dCols, int n, int h, int w, int c, int k, int pad, Buf dx) {
    FloatKernels2.col2im((FloatBuf) dCols, n, h, w, c, k, pad, (FloatBuf) dx);
  }

  @Override
  public void maxPool2(Buf x, int n, int h, int w, int c, Buf y, int[] argmax) {
    FloatKernels2.maxPool2((FloatBuf) x, n, h, w, c, (FloatBuf) y, argmax);
  }

  @Override
  public void maxPool2Backward(Buf dy, int[] argmax, Buf dx) {
    FloatKernels2.maxPool2Backward((FloatBuf) dy, argmax, (FloatBuf) dx);
  }

  @Override
  public void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr,
      double b1, double b2, double eps, long t) {
    FloatKernels2.sparseAdam((FloatBuf) table, dim, ids, (FloatBuf) rows, (FloatBuf) m,
        (FloatBuf) v, lr, b1, b2, eps, t);
  }
}
