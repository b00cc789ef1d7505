package org.pscreen2vec.ops.cuda;

import static org.pscreen2vec.ops.cuda.Launch.THREADS;
import static org.pscreen2vec.ops.cuda.Launch.blocks;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUfunc_st;

/**
 * Exactly one Java launcher per kernel of {@code src/main/cuda}: each packs its kernel's
 * parameters in the order of the kernel's signature (device addresses as {@code long}) and picks
 * the launch dimensions. {@link #NAMES} lists every kernel; a test checks it against the names
 * ptxas compiled into the fatbin, so a kernel without a launcher (or the reverse) fails the build.
 */
public final class Kernels {
  /** Activation codes of common.cuh. */
  public static final int ACT_NONE = 0;
  public static final int ACT_RELU = 1;
  public static final int ACT_TANH = 2;
  public static final int ACT_SIGMOID = 3;

  /** Every kernel, in the order of the launchers below. */
  public static final List<String> NAMES = List.of("fill_f32", "axpy_f32", "scale_f32",
      "mul_f32", "act_bwd_f32", "segment_sum_f32", "bias_act_fwd", "bias_act_bwd",
      "copy_columns", "select_rows", "gather_rows", "scatter_add_rows", "bag_mean_fwd",
      "bag_mean_bwd", "softmax_xent", "squared_error", "im2col", "col2im", "maxpool2_fwd",
      "maxpool2_bwd", "sgd_momentum", "adam", "sparse_adam", "sparse_adagrad", "lstm_cell_fwd",
      "lstm_cell_bwd");

  private final Driver driver;
  private final KernelArgs a = new KernelArgs();
  private final Map<String, CUfunc_st> functions = new HashMap<>();

  Kernels(Driver driver) {
    this.driver = driver;
    for (String n : NAMES) {
      functions.put(n, driver.function(n));
    }
  }

  /** The loaded handle of a kernel (bench-kernels reads its registers). */
  CUfunc_st function(String name) {
    return functions.get(name);
  }

  private void go(String name, long n) {
    driver.launch(name, functions.get(name), blocks(n), THREADS, a);
  }

  private void goBlocks(String name, int blocks) {
    driver.launch(name, functions.get(name), blocks, THREADS, a);
  }

  // ---------------------------------------------------------------- elementwise.cu

  void fill(long x, int n, float v) {
    a.reset().ptr(x).i32(n).f32(v);
    go("fill_f32", n);
  }

  void axpy(long x, long y, int n, float alpha) {
    a.reset().ptr(x).ptr(y).i32(n).f32(alpha);
    go("axpy_f32", n);
  }

  void scale(long x, int n, float alpha) {
    a.reset().ptr(x).i32(n).f32(alpha);
    go("scale_f32", n);
  }

  void mul(long x, long y, long out, int n, boolean accumulate) {
    a.reset().ptr(x).ptr(y).ptr(out).i32(n).i32(accumulate ? 1 : 0);
    go("mul_f32", n);
  }

  void actBackward(long y, long dy, long dx, int n, int act) {
    a.reset().ptr(y).ptr(dy).ptr(dx).i32(n).i32(act);
    go("act_bwd_f32", n);
  }

  void segmentSum(long src, long dst, int n) {
    a.reset().ptr(src).ptr(dst).i32(n);
    go("segment_sum_f32", n);
  }

  // ---------------------------------------------------------------- rows.cu

  void biasActForward(long x, long bias, long y, int rows, int cols, int act) {
    a.reset().ptr(x).ptr(bias).ptr(y).i32(rows).i32(cols).i32(act);
    go("bias_act_fwd", (long) rows * cols);
  }

  void biasActBackward(long y, long dy, long dx, long dBias, int rows, int cols, int act) {
    a.reset().ptr(y).ptr(dy).ptr(dx).ptr(dBias).i32(rows).i32(cols).i32(act)
        .i32(Launch.rowsPerChunk(rows, cols));
    goBlocks("bias_act_bwd", Launch.columnSumBlocks(rows, cols));
  }

  void copyColumns(long src, int srcCols, int srcCol, long dst, int dstCols, int dstCol,
      int rows, int width) {
    a.reset().ptr(src).i32(srcCols).i32(srcCol).ptr(dst).i32(dstCols).i32(dstCol).i32(rows)
        .i32(width);
    go("copy_columns", (long) rows * width);
  }

  void selectRows(long keep, long x, long y, long out, int rows, int cols) {
    a.reset().ptr(keep).ptr(x).ptr(y).ptr(out).i32(rows).i32(cols);
    go("select_rows", (long) rows * cols);
  }

  // ---------------------------------------------------------------- embeddings.cu

  void gatherRows(long table, int dim, long ids, int count, long out) {
    a.reset().ptr(table).i32(dim).ptr(ids).i32(count).ptr(out);
    go("gather_rows", (long) count * dim);
  }

  void scatterAddRows(long dOut, int dim, long order, long starts, long keys, int groups,
      long dTable) {
    a.reset().ptr(dOut).i32(dim).ptr(order).ptr(starts).ptr(keys).i32(groups).ptr(dTable);
    go("scatter_add_rows", (long) groups * dim);
  }

  void bagMean(long table, int dim, long ids, long offsets, int bags, long out) {
    a.reset().ptr(table).i32(dim).ptr(ids).ptr(offsets).i32(bags).ptr(out);
    go("bag_mean_fwd", (long) bags * dim);
  }

  void bagMeanBackward(long dOut, int dim, long bagAt, long sizeAt, long starts, long keys,
      int groups, long dRows) {
    a.reset().ptr(dOut).i32(dim).ptr(bagAt).ptr(sizeAt).ptr(starts).ptr(keys).i32(groups)
        .ptr(dRows);
    go("bag_mean_bwd", (long) groups * dim);
  }

  // ---------------------------------------------------------------- losses.cu

  /** One block per row (up to the grid cap; the kernel strides over further rows). */
  void softmaxXent(long logits, long allowed, long targets, int rows, int cols, float scale,
      long dLogits, long loss) {
    a.reset().ptr(logits).ptr(allowed).ptr(targets).i32(rows).i32(cols).f32(scale).ptr(dLogits)
        .ptr(loss);
    goBlocks("softmax_xent", Launch.blocks((long) rows * 32)); // a warp per row
  }

  /** Returns the number of partial sums written (one per block). */
  int squaredError(long pred, long target, long dPred, int n, float scale, long partial) {
    int blocks = Launch.blocks(n, THREADS, Launch.REDUCE_BLOCKS);
    a.reset().ptr(pred).ptr(target).ptr(dPred).i32(n).f32(scale).ptr(partial);
    goBlocks("squared_error", blocks);
    return blocks;
  }

  // ---------------------------------------------------------------- conv.cu

  void im2col(long x, int n, int h, int w, int c, int k, int pad, long cols) {
    a.reset().ptr(x).i32(n).i32(h).i32(w).i32(c).i32(k).i32(pad).ptr(cols);
    go("im2col", (long) n * h * w * k * k); // a thread per (pixel, kernel offset)
  }

  void col2im(long dCols, int n, int h, int w, int c, int k, int pad, long dx) {
    a.reset().ptr(dCols).i32(n).i32(h).i32(w).i32(c).i32(k).i32(pad).ptr(dx);
    go("col2im", (long) n * h * w * c);
  }

  void maxPool2(long x, int n, int h, int w, int c, long y, long argmax) {
    a.reset().ptr(x).i32(n).i32(h).i32(w).i32(c).ptr(y).ptr(argmax);
    go("maxpool2_fwd", (long) n * (h / 2) * (w / 2) * c);
  }

  void maxPool2Backward(long dy, long argmax, int n, long dx) {
    a.reset().ptr(dy).ptr(argmax).i32(n).ptr(dx);
    go("maxpool2_bwd", n);
  }

  // ---------------------------------------------------------------- optim.cu

  void sgdMomentum(long p, long g, long v, int n, float lr, float mu) {
    a.reset().ptr(p).ptr(g).ptr(v).i32(n).f32(lr).f32(mu);
    go("sgd_momentum", n);
  }

  void adam(long p, long g, long m, long v, int n, float lr, float b1, float b2, float eps,
      double c1, double c2) {
    a.reset().ptr(p).ptr(g).ptr(m).ptr(v).i32(n).f32(lr).f32(b1).f32(b2).f32(eps).f64(c1)
        .f64(c2);
    go("adam", n);
  }

  void sparseAdam(long table, int dim, long rows, long order, long starts, long keys,
      int groups, long m, long v, float lr, float b1, float b2, float eps, double c1,
      double c2) {
    a.reset().ptr(table).i32(dim).ptr(rows).ptr(order).ptr(starts).ptr(keys).i32(groups).ptr(m)
        .ptr(v).f32(lr).f32(b1).f32(b2).f32(eps).f64(c1).f64(c2);
    go("sparse_adam", (long) groups * dim);
  }

  void sparseAdagrad(long table, int dim, long rows, long order, long starts, long keys,
      int groups, long acc, float lr, float eps) {
    a.reset().ptr(table).i32(dim).ptr(rows).ptr(order).ptr(starts).ptr(keys).i32(groups)
        .ptr(acc).f32(lr).f32(eps);
    go("sparse_adagrad", (long) groups * dim);
  }

  // ---------------------------------------------------------------- lstm.cu

  void lstmCellForward(long gates, long cPrev, long c, long h, int rows, int hidden) {
    a.reset().ptr(gates).ptr(cPrev).ptr(c).ptr(h).i32(rows).i32(hidden);
    go("lstm_cell_fwd", (long) rows * hidden);
  }

  void lstmCellBackward(long gates, long cPrev, long c, long dh, long dc, long dGates,
      long dcPrev, int rows, int hidden) {
    a.reset().ptr(gates).ptr(cPrev).ptr(c).ptr(dh).ptr(dc).ptr(dGates).ptr(dcPrev).i32(rows)
        .i32(hidden);
    go("lstm_cell_bwd", (long) rows * hidden);
  }
}
