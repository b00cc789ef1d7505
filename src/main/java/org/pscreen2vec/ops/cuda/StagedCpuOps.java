package org.pscreen2vec.ops.cuda;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Checks;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.GemmCounters;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * The CPU backend's arithmetic behind the CUDA backend's memory contract, made strict: a check,
 * on machines without a GPU, that no code reads or writes a buffer's memory behind the backend
 * ({@code --backend cpu-staged}). Like {@link CudaOps}, a buffer is a {@code FloatBuf} over a
 * heap array that is <em>not</em> its storage, {@link #hostArray} is always null, and code outside
 * {@code ops} reaches a buffer only through {@link #upload} and {@link #download}. Unlike the
 * GPU's shadow, which holds the initial values until a kernel first touches it, this heap array
 * is NaN from the start and never written: a {@code Buf.get} anywhere reads NaN, a {@code
 * Buf.set} is lost, and either shows up as a run that differs from {@code --backend cpu}.
 * The storage is a second array per buffer, on which {@link CpuOps} computes; a {@code FloatBuf}
 * over any other heap array (gradient rows received from the network) is host memory passed
 * explicitly and is used as it is, as {@code CudaOps} stages it.
 */
public final class StagedCpuOps implements Ops {
  private final CpuOps cpu;
  private final Map<float[], float[]> storage = new WeakHashMap<>(); // poisoned array -> storage

  public StagedCpuOps(CpuOps cpu) {
    this.cpu = cpu;
  }

  @Override
  public String name() {
    return "cpu-staged";
  }

  @Override
  public boolean isDouble() {
    return false;
  }

  @Override
  public Buf alloc(int n) {
    Checks.allocLength(n);
    float[] poisoned = new float[n];
    Arrays.fill(poisoned, Float.NaN);
    storage.put(poisoned, new float[n]);
    return new FloatBuf(poisoned);
  }

  @Override
  public GemmCounters counters() {
    return cpu.counters();
  }

  @Override
  public void upload(float[] src, int srcOff, Buf dst, int dstOff, int n) {
    cpu.upload(src, srcOff, d(dst), dstOff, n);
  }

  @Override
  public void download(Buf src, int srcOff, float[] dst, int dstOff, int n) {
    cpu.download(d(src), srcOff, dst, dstOff, n);
  }

  /** Always null, as on the GPU: callers copy. */
  @Override
  public float[] hostArray(Buf b) {
    d(b);
    return null;
  }

  /** Whether b is one of this backend's buffers (its heap array poisoned), not a host array. */
  public boolean owns(Buf b) {
    return b instanceof FloatBuf fb && storage.containsKey(fb.array());
  }

  /** The storage behind b: the same slice of the buffer's real array; a foreign array as it is. */
  private FloatBuf d(Buf b) {
    if (b == null) {
      return null; // an optional operand; the CPU backend says whether null is allowed
    }
    if (!(b instanceof FloatBuf fb)) {
      throw new IllegalArgumentException("cpu-staged works on float buffers, got "
          + b.getClass().getSimpleName());
    }
    float[] real = storage.get(fb.array());
    return real == null ? fb : new FloatBuf(real, fb.offset(), fb.length());
  }

  // ---------------------------------------------------------------- the arithmetic: CpuOps

  @Override
  public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    cpu.gemm(transA, transB, m, n, k, alpha, d(a), d(b), beta, d(c));
  }

  @Override
  public void fill(Buf x, double v) {
    cpu.fill(d(x), v);
  }

  @Override
  public void copy(Buf src, Buf dst) {
    cpu.copy(d(src), d(dst));
  }

  @Override
  public void axpy(double alpha, Buf x, Buf y) {
    cpu.axpy(alpha, d(x), d(y));
  }

  @Override
  public void scale(Buf x, double alpha) {
    cpu.scale(d(x), alpha);
  }

  @Override
  public void mul(Buf a, Buf b, Buf out) {
    cpu.mul(d(a), d(b), d(out));
  }

  @Override
  public void mulAddInto(Buf a, Buf b, Buf out) {
    cpu.mulAddInto(d(a), d(b), d(out));
  }

  @Override
  public void relu(Buf x, Buf y) {
    cpu.relu(d(x), d(y));
  }

  @Override
  public void reluBackward(Buf y, Buf dy, Buf dx) {
    cpu.reluBackward(d(y), d(dy), d(dx));
  }

  @Override
  public void tanh(Buf x, Buf y) {
    cpu.tanh(d(x), d(y));
  }

  @Override
  public void tanhBackward(Buf y, Buf dy, Buf dx) {
    cpu.tanhBackward(d(y), d(dy), d(dx));
  }

  @Override
  public void sigmoid(Buf x, Buf y) {
    cpu.sigmoid(d(x), d(y));
  }

  @Override
  public void sigmoidBackward(Buf y, Buf dy, Buf dx) {
    cpu.sigmoidBackward(d(y), d(dy), d(dx));
  }

  @Override
  public void addRowVector(Buf x, int rows, int cols, Buf v) {
    cpu.addRowVector(d(x), rows, cols, d(v));
  }

  @Override
  public void sumRowsInto(Buf x, int rows, int cols, Buf out) {
    cpu.sumRowsInto(d(x), rows, cols, d(out));
  }

  @Override
  public void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol,
      int rows, int width) {
    cpu.copyColumns(d(src), srcCols, srcCol, d(dst), dstCols, dstCol, rows, width);
  }

  @Override
  public void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols) {
    cpu.selectRows(keep, d(a), d(b), d(out), cols);
  }

  @Override
  public void zeroRows(boolean[] keep, Buf x, int cols) {
    cpu.zeroRows(keep, d(x), cols);
  }

  @Override
  public void gatherRows(Buf table, int dim, int[] ids, Buf out) {
    cpu.gatherRows(d(table), dim, ids, d(out));
  }

  @Override
  public void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable) {
    cpu.scatterAddRows(d(dOut), dim, ids, d(dTable));
  }

  @Override
  public void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out) {
    cpu.bagMean(d(table), dim, ids, offsets, d(out));
  }

  @Override
  public void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows) {
    cpu.bagMeanBackward(d(dOut), dim, slots, offsets, d(dRows));
  }

  @Override
  public double softmaxCrossEntropy(Buf logits, int rows, int cols, int[] targets,
      boolean[] allowed, Buf dLogits, double scale) {
    return cpu.softmaxCrossEntropy(d(logits), rows, cols, targets, allowed, d(dLogits), scale);
  }

  @Override
  public double squaredError(Buf pred, Buf target, Buf dPred, double scale) {
    return cpu.squaredError(d(pred), d(target), d(dPred), scale);
  }

  @Override
  public void im2col(Buf x, int n, int h, int w, int c, int k, int pad, Buf cols) {
    cpu.im2col(d(x), n, h, w, c, k, pad, d(cols));
  }

  @Override
  public void col2im(Buf dCols, int n, int h, int w, int c, int k, int pad, Buf dx) {
    cpu.col2im(d(dCols), n, h, w, c, k, pad, d(dx));
  }

  @Override
  public void maxPool2(Buf x, int n, int h, int w, int c, Buf y, int[] argmax) {
    cpu.maxPool2(d(x), n, h, w, c, d(y), argmax);
  }

  @Override
  public void maxPool2Backward(Buf dy, int[] argmax, Buf dx) {
    cpu.maxPool2Backward(d(dy), argmax, d(dx));
  }

  @Override
  public void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu) {
    cpu.sgdMomentum(d(p), d(g), d(v), lr, mu);
  }

  @Override
  public void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps,
      long t) {
    cpu.adam(d(p), d(g), d(m), d(v), lr, b1, b2, eps, t);
  }

  @Override
  public void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr,
      double b1, double b2, double eps, long t) {
    cpu.sparseAdam(d(table), dim, ids, d(rows), d(m), d(v), lr, b1, b2, eps, t);
  }

  @Override
  public void sparseAdagrad(Buf table, int dim, int[] ids, Buf rows, Buf acc, double lr,
      double eps) {
    cpu.sparseAdagrad(d(table), dim, ids, d(rows), d(acc), lr, eps);
  }

  @Override
  public void biasTanh(Buf x, int rows, int cols, Buf v) {
    cpu.biasTanh(d(x), rows, cols, d(v));
  }

  @Override
  public void tanhBackwardSumRows(Buf y, Buf dy, Buf dx, int rows, int cols, Buf out) {
    cpu.tanhBackwardSumRows(d(y), d(dy), d(dx), rows, cols, d(out));
  }

  // the CPU backend convolves directly (its own scratch size), so these must reach it too

  @Override
  public long conv2dScratch(int n, int h, int w, int cin, int k) {
    return cpu.conv2dScratch(n, h, w, cin, k);
  }

  @Override
  public void conv2d(Buf x, int n, int h, int w, int cin, int k, Buf wt, Buf bias, int cout,
      Buf y, Buf scratch) {
    cpu.conv2d(d(x), n, h, w, cin, k, d(wt), d(bias), cout, d(y), d(scratch));
  }

  @Override
  public void conv2dBackward(Buf x, int n, int h, int w, int cin, int k, Buf wt, int cout,
      Buf dy, Buf dWt, Buf dBias, Buf dx, Buf scratch) {
    cpu.conv2dBackward(d(x), n, h, w, cin, k, d(wt), cout, d(dy), d(dWt), d(dBias), d(dx),
        d(scratch));
  }

  @Override
  public void lstmCellForward(Buf gates, Buf cPrev, Buf c, Buf h, int rows, int hidden) {
    cpu.lstmCellForward(d(gates), d(cPrev), d(c), d(h), rows, hidden);
  }

  @Override
  public void lstmCellBackward(Buf gates, Buf cPrev, Buf c, Buf dh, Buf dc, Buf dGates,
      Buf dcPrev, int rows, int hidden) {
    cpu.lstmCellBackward(d(gates), d(cPrev), d(c), d(dh), d(dc), d(dGates), d(dcPrev), rows,
        hidden);
  }
}
