package org.pscreen2vec.ops.cuda;

import static org.pscreen2vec.ops.Checks.sameLength;

import java.util.function.Consumer;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Checks;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.GemmCounters;
import org.pscreen2vec.ops.Ops;

/**
 * The CUDA backend: every {@link Ops} method runs on the GPU, by the project's kernels
 * ({@link Kernels}, one launcher per kernel of {@code src/main/cuda}) or by cuBLAS (products);
 * none falls back to a host loop. Buffers live in device memory ({@link DeviceArrays}: parameters,
 * activations and optimizer state stay there), host copies go through pinned buffers, and every
 * driver and cuBLAS call is checked ({@link CudaException} names the call, the kernel and the
 * status). Index arrays (ids, offsets, masks) are host {@code int[]}/{@code boolean[]} in the
 * interface and are copied to the device per call; their bounds are checked on the host first,
 * since a bad index on the device would corrupt memory instead of throwing.
 *
 * <p>Kernels run asynchronously on the default stream; a call that returns a value (a loss) or
 * copies to the host waits for them. System property {@code pscreen2vec.cuda.sync=true}
 * synchronizes after every launch, so an asynchronous fault names its own kernel.
 *
 * <p>One instance per rank thread; ranks on one host use device {@code localRank % devices}.
 */
public final class CudaOps implements Ops {
  static final boolean SYNC_EACH_LAUNCH = Boolean.getBoolean("pscreen2vec.cuda.sync");

  private final Driver driver;
  private final DeviceArrays mem;
  private final Scratch scratch;
  private final Kernels k;
  private final Blas blas;
  private final GemmCounters counters = new GemmCounters();

  private CudaOps(Driver driver, boolean tf32) {
    this.driver = driver;
    this.mem = new DeviceArrays(driver);
    this.scratch = new Scratch(driver);
    this.k = new Kernels(driver);
    this.blas = new Blas(tf32);
  }

  /**
   * Opens the GPU for this rank: loads the CUDA libraries and the kernels, picks device
   * {@code localRank % count}. Throws "no GPU: reason" where any of that is missing.
   */
  public static CudaOps open(int localRank, boolean tf32) throws NoGpuException {
    Fatbin fatbin = Fatbin.load();
    Driver d = Driver.open(localRank, fatbin);
    try {
      return new CudaOps(d, tf32);
    } catch (CudaException | LinkageError e) {
      throw new NoGpuException("the GPU opened but the backend could not start: "
          + e.getMessage(), e);
    }
  }

  /** "NVIDIA H200 (sm_90, device 0)". */
  public String device() {
    return driver.deviceName() + " (" + driver.arch() + ", device " + driver.device() + ")";
  }

  /** Theoretical memory bandwidth (memory clock x bus width x 2), GB/s. */
  public double peakMemoryGBs() {
    return driver.peakMemoryGBs();
  }

  /**
   * Float32 peak of the CUDA cores, TFLOP/s: SMs x FP32 lanes per SM (64 on sm_80, 128 on sm_86
   * and newer) x 2 (FMA) x the boost clock the driver reports. Not the tensor-core (TF32) peak.
   */
  public double peakFp32Tflops() {
    int lanes = driver.arch().equals("sm_80") ? 64 : 128;
    double clockGhz = driver.attribute(org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_CLOCK_RATE)
        / 1e6;
    return driver.multiprocessors() * lanes * 2.0 * clockGhz / 1e3;
  }

  /** bench-kernels: events around every launch and device copy (see Driver#timeLaunches). */
  public void timeLaunches(boolean on) {
    driver.makeCurrent();
    driver.timeLaunches(on);
  }

  /** Device milliseconds of the launches and copies since the last call (waits for them). */
  public double timedMillis() {
    driver.makeCurrent();
    return driver.timedMillis();
  }

  /** Registers per thread of a kernel as the driver loaded it for this GPU. */
  public int registers(String kernel) {
    driver.makeCurrent();
    return driver.registers(k.function(kernel));
  }

  /** Whether products use TF32 tensor cores. */
  public boolean tf32() {
    return blas.tf32();
  }

  /** Waits until every launched kernel is done. */
  public void synchronize() {
    driver.makeCurrent();
    driver.synchronize();
  }

  /** Host-device bytes copied for foreign heap operands (see {@link DeviceArrays}). */
  public long stagedBytes() {
    return mem.stagedBytes();
  }

  /** Host-device bytes moved by {@link #upload}/{@link #download} of device buffers. */
  public long transferBytes() {
    return mem.transferBytes();
  }

  /** Device memory held by this backend's buffers. */
  public long deviceBytes() {
    return mem.deviceBytes();
  }

  @Override
  public String name() {
    return "cuda";
  }

  @Override
  public boolean isDouble() {
    return false;
  }

  @Override
  public Buf alloc(int n) {
    Checks.allocLength(n);
    driver.makeCurrent();
    return mem.alloc(n);
  }

  @Override
  public GemmCounters counters() {
    return counters;
  }

  // ---------------------------------------------------------------- host transfers

  @Override
  public void upload(float[] src, int srcOff, Buf dst, int dstOff, int n) {
    Checks.transfer(dst, dstOff, src.length, srcOff, n);
    driver.makeCurrent();
    mem.upload(src, srcOff, f(dst), dstOff, n);
  }

  @Override
  public void download(Buf src, int srcOff, float[] dst, int dstOff, int n) {
    Checks.transfer(src, srcOff, dst.length, dstOff, n);
    driver.makeCurrent();
    mem.download(f(src), srcOff, dst, dstOff, n);
  }

  /**
   * Always null: a buffer of this backend lives in device memory, and its heap array is a shadow
   * that is stale once a kernel has touched it. Callers copy with {@link #download} and {@link
   * #upload} (the host sides of {@code ParameterStore} and {@code EmbeddingTable} do), through
   * this backend's pinned bounce buffer.
   */
  @Override
  public float[] hostArray(Buf b) {
    f(b);
    return null;
  }

  // ---------------------------------------------------------------- matrix products

  @Override
  public void gemm(boolean ta, boolean tb, int m, int n, int kk, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    Checks.gemm(m, n, kk, a, b, c);
    if (m == 0 || n == 0) {
      return;
    }
    long t0 = System.nanoTime();
    FloatBuf fa = f(a);
    FloatBuf fb = f(b);
    FloatBuf fc = f(c);
    call(x -> {
      long dc = x.out(fc);
      if (kk == 0 && beta == 0) {
        k.fill(dc, m * n, 0f); // C = beta C without reading C (BLAS semantics)
      } else {
        blas.gemm(ta, tb, m, n, kk, (float) alpha, x.in(fa), x.in(fb), (float) beta, dc);
      }
    });
    counters.add(ta, tb, m, n, kk, System.nanoTime() - t0);
  }

  // ---------------------------------------------------------------- element-wise

  @Override
  public void fill(Buf x, double v) {
    FloatBuf fx = f(x);
    call(c -> k.fill(c.out(fx), fx.length(), (float) v));
  }

  @Override
  public void copy(Buf src, Buf dst) {
    sameLength(src, dst);
    FloatBuf s = f(src);
    FloatBuf d = f(dst);
    call(c -> driver.deviceCopy(c.out(d), c.in(s), 4L * s.length()));
  }

  @Override
  public void axpy(double alpha, Buf x, Buf y) {
    sameLength(x, y);
    FloatBuf fx = f(x);
    FloatBuf fy = f(y);
    call(c -> k.axpy(c.in(fx), c.out(fy), fx.length(), (float) alpha));
  }

  /** dst += src: reduces an allreduce segment received into a device buffer. */
  public void reduceSegment(Buf src, Buf dst) {
    sameLength(src, dst);
    FloatBuf s = f(src);
    FloatBuf d = f(dst);
    call(c -> k.segmentSum(c.in(s), c.out(d), s.length()));
  }

  @Override
  public void scale(Buf x, double alpha) {
    FloatBuf fx = f(x);
    call(c -> k.scale(c.out(fx), fx.length(), (float) alpha));
  }

  @Override
  public void mul(Buf a, Buf b, Buf out) {
    mul(a, b, out, false);
  }

  @Override
  public void mulAddInto(Buf a, Buf b, Buf out) {
    mul(a, b, out, true);
  }

  private void mul(Buf a, Buf b, Buf out, boolean accumulate) {
    sameLength(a, b);
    sameLength(a, out);
    FloatBuf fa = f(a);
    FloatBuf fb = f(b);
    FloatBuf fo = f(out);
    call(c -> k.mul(c.in(fa), c.in(fb), c.out(fo), fa.length(), accumulate));
  }

  @Override
  public void relu(Buf x, Buf y) {
    activation(x, y, Kernels.ACT_RELU);
  }

  @Override
  public void reluBackward(Buf y, Buf dy, Buf dx) {
    activationBackward(y, dy, dx, Kernels.ACT_RELU);
  }

  @Override
  public void tanh(Buf x, Buf y) {
    activation(x, y, Kernels.ACT_TANH);
  }

  @Override
  public void tanhBackward(Buf y, Buf dy, Buf dx) {
    activationBackward(y, dy, dx, Kernels.ACT_TANH);
  }

  @Override
  public void sigmoid(Buf x, Buf y) {
    activation(x, y, Kernels.ACT_SIGMOID);
  }

  @Override
  public void sigmoidBackward(Buf y, Buf dy, Buf dx) {
    activationBackward(y, dy, dx, Kernels.ACT_SIGMOID);
  }

  private void activation(Buf x, Buf y, int act) {
    sameLength(x, y);
    FloatBuf fx = f(x);
    FloatBuf fy = f(y);
    call(c -> k.biasActForward(c.in(fx), 0, c.out(fy), 1, fx.length(), act));
  }

  private void activationBackward(Buf y, Buf dy, Buf dx, int act) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatBuf fy = f(y);
    FloatBuf fdy = f(dy);
    FloatBuf fdx = f(dx);
    call(c -> k.actBackward(c.in(fy), c.in(fdy), c.out(fdx), fy.length(), act));
  }

  // ---------------------------------------------------------------- rows and columns

  @Override
  public void addRowVector(Buf x, int rows, int cols, Buf v) {
    biasActivation(x, rows, cols, v, x, Kernels.ACT_NONE);
  }

  /**
   * y(rows, cols) = act(x + bias) in one kernel (Kernels.ACT_*; y may alias x): the fused layer
   * forward that {@link Ops} has no method for (its layers call addRowVector, then the
   * activation); bench-kernels and the GPU tests use it.
   */
  public void biasActivation(Buf x, int rows, int cols, Buf bias, Buf y, int act) {
    FloatBuf fx = need(x, (long) rows * cols, "x");
    FloatBuf fb = need(bias, cols, "bias");
    FloatBuf fy = need(y, (long) rows * cols, "y");
    call(c -> k.biasActForward(c.in(fx), c.in(fb), c.out(fy), rows, cols, act));
  }

  /**
   * dx = dy * act'(y) and dBias += column sums of dx, in one kernel (dx may alias dy): the fused
   * backward of {@link #biasActivation}.
   */
  public void biasActivationBackward(Buf y, Buf dy, Buf dx, Buf dBias, int rows, int cols,
      int act) {
    long n = (long) rows * cols;
    FloatBuf fy = need(y, n, "y");
    FloatBuf fdy = need(dy, n, "dy");
    FloatBuf fdx = need(dx, n, "dx");
    FloatBuf fdb = need(dBias, cols, "dBias");
    call(c -> k.biasActBackward(c.in(fy), c.in(fdy), c.out(fdx), c.out(fdb), rows, cols, act));
  }

  /** {@link #biasActivation} with tanh, in place: one {@code bias_act_fwd} launch. */
  @Override
  public void biasTanh(Buf x, int rows, int cols, Buf v) {
    Buf xs = x.slice(0, rows * cols);
    biasActivation(xs, rows, cols, v, xs, Kernels.ACT_TANH);
  }

  /** {@link #biasActivationBackward} with tanh: one {@code bias_act_bwd} launch. */
  @Override
  public void tanhBackwardSumRows(Buf y, Buf dy, Buf dx, int rows, int cols, Buf out) {
    sameLength(y, dy);
    sameLength(y, dx);
    biasActivationBackward(y, dy, dx, out, rows, cols, Kernels.ACT_TANH);
  }

  @Override
  public void sumRowsInto(Buf x, int rows, int cols, Buf out) {
    FloatBuf fx = need(x, (long) rows * cols, "x");
    FloatBuf fo = need(out, cols, "out");
    call(c -> k.biasActBackward(0, c.in(fx), 0, c.out(fo), rows, cols, Kernels.ACT_NONE));
  }

  @Override
  public void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol,
      int rows, int width) {
    if (rows < 0 || width < 0 || srcCol < 0 || dstCol < 0 || srcCol + width > srcCols
        || dstCol + width > dstCols) {
      throw new IndexOutOfBoundsException("copyColumns: columns [" + srcCol + ", "
          + (srcCol + width) + ") of " + srcCols + " to [" + dstCol + ", " + (dstCol + width)
          + ") of " + dstCols + ", " + rows + " rows");
    }
    FloatBuf s = need(src, rows == 0 ? 0 : (long) (rows - 1) * srcCols + srcCol + width, "src");
    FloatBuf d = need(dst, rows == 0 ? 0 : (long) (rows - 1) * dstCols + dstCol + width, "dst");
    call(c -> k.copyColumns(c.in(s), srcCols, srcCol, c.out(d), dstCols, dstCol, rows, width));
  }

  @Override
  public void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols) {
    long n = (long) keep.length * cols;
    FloatBuf fa = need(a, n, "a");
    FloatBuf fb = need(b, n, "b");
    FloatBuf fo = need(out, n, "out");
    call(c -> k.selectRows(scratch.mask(keep), c.in(fa), c.in(fb), c.out(fo), keep.length,
        cols));
  }

  @Override
  public void zeroRows(boolean[] keep, Buf x, int cols) {
    FloatBuf fx = need(x, (long) keep.length * cols, "x");
    call(c -> {
      long dx = c.out(fx);
      k.selectRows(scratch.mask(keep), dx, 0, dx, keep.length, cols);
    });
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void gatherRows(Buf table, int dim, int[] ids, Buf out) {
    FloatBuf ft = f(table);
    checkIds(ids, ft.length(), dim, "gatherRows: id");
    FloatBuf fo = need(out, (long) ids.length * dim, "out");
    call(c -> k.gatherRows(c.in(ft), dim, scratch.ints(ids), ids.length, c.out(fo)));
  }

  @Override
  public void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable) {
    FloatBuf fd = need(dOut, (long) ids.length * dim, "dOut");
    FloatBuf ft = f(dTable);
    Groups g = Groups.of(ids, rowsOf(ft, dim), "scatterAddRows: id");
    call(c -> k.scatterAddRows(c.in(fd), dim, scratch.ints(g.order()), scratch.ints(g.starts()),
        scratch.ints(g.keys()), g.count(), c.out(ft)));
  }

  @Override
  public void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out) {
    int bags = checkOffsets(offsets, ids.length);
    FloatBuf ft = f(table);
    checkIds(ids, ft.length(), dim, "bagMean: id");
    FloatBuf fo = need(out, (long) bags * dim, "out");
    call(c -> k.bagMean(c.in(ft), dim, scratch.ints(ids), scratch.ints(offsets), bags,
        c.out(fo)));
  }

  @Override
  public void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows) {
    int bags = checkOffsets(offsets, slots.length);
    FloatBuf fd = need(dOut, (long) bags * dim, "dOut");
    FloatBuf fr = f(dRows);
    // only positions inside a bag count: [offsets[0], offsets[bags])
    int from = offsets[0];
    int[] bagOf = new int[offsets[bags] - from]; // of each counted position
    for (int b = 0; b < bags; b++) {
      java.util.Arrays.fill(bagOf, offsets[b] - from, offsets[b + 1] - from, b);
    }
    Groups g = Groups.of(java.util.Arrays.copyOfRange(slots, from, offsets[bags]),
        rowsOf(fr, dim), "bagMeanBackward: slot");
    // each grouped position's bag and that bag's size, resolved here: the kernel then loads
    // both at once instead of following order -> bag -> offsets
    int[] bagAt = new int[g.order().length];
    int[] sizeAt = new int[bagAt.length];
    for (int q = 0; q < bagAt.length; q++) {
      int b = bagOf[g.order()[q]];
      bagAt[q] = b;
      sizeAt[q] = offsets[b + 1] - offsets[b];
    }
    call(c -> k.bagMeanBackward(c.in(fd), dim, scratch.ints(bagAt), scratch.ints(sizeAt),
        scratch.ints(g.starts()), scratch.ints(g.keys()), g.count(), c.out(fr)));
  }

  // ---------------------------------------------------------------- losses

  @Override
  public double softmaxCrossEntropy(Buf logits, int rows, int cols, int[] targets,
      boolean[] allowed, Buf dLogits, double scale) {
    long n = (long) rows * cols;
    FloatBuf fl = need(logits, n, "logits");
    FloatBuf fd = need(dLogits, n, "dLogits");
    if (targets.length < rows || (allowed != null && allowed.length < n)) {
      throw new IllegalArgumentException("softmaxCrossEntropy: " + targets.length + " targets, "
          + (allowed == null ? "no" : allowed.length) + " mask entries for " + rows + " x "
          + cols);
    }
    for (int r = 0; r < rows; r++) {
      int t = targets[r];
      if (t < 0 || t >= cols || (allowed != null && !allowed[r * cols + t])) {
        throw new IllegalArgumentException("row " + r + ": target column " + t
            + " is outside the allowed candidates");
      }
    }
    double[] loss = new double[rows];
    call(c -> {
      long dl = scratch.reserve(8L * rows);
      k.softmaxXent(c.in(fl), allowed == null ? 0 : scratch.mask(allowed),
          scratch.ints(targets), rows, cols, (float) scale, c.out(fd), dl);
      if (rows > 0) {
        scratch.readDoubles(dl, loss, rows);
      }
    });
    double total = 0;
    for (double l : loss) {
      total += l;
    }
    return total;
  }

  @Override
  public double squaredError(Buf pred, Buf target, Buf dPred, double scale) {
    sameLength(pred, target);
    sameLength(pred, dPred);
    FloatBuf fp = f(pred);
    FloatBuf ft = f(target);
    FloatBuf fd = f(dPred);
    double[] partial = new double[Launch.REDUCE_BLOCKS];
    int[] blocks = new int[1];
    call(c -> {
      long dp = scratch.reserve(8L * Launch.REDUCE_BLOCKS);
      blocks[0] = k.squaredError(c.in(fp), c.in(ft), c.out(fd), fp.length(), (float) scale, dp);
      if (blocks[0] > 0) {
        scratch.readDoubles(dp, partial, blocks[0]);
      }
    });
    double total = 0;
    for (int i = 0; i < blocks[0]; i++) {
      total += partial[i];
    }
    return total;
  }

  // ---------------------------------------------------------------- convolution (NHWC)

  @Override
  public void im2col(Buf x, int n, int h, int w, int ch, int kk, int pad, Buf cols) {
    FloatBuf fx = need(x, (long) n * h * w * ch, "x");
    FloatBuf fc = need(cols, (long) n * h * w * kk * kk * ch, "cols");
    call(c -> k.im2col(c.in(fx), n, h, w, ch, kk, pad, c.out(fc)));
  }

  @Override
  public void col2im(Buf dCols, int n, int h, int w, int ch, int kk, int pad, Buf dx) {
    FloatBuf fc = need(dCols, (long) n * h * w * kk * kk * ch, "dCols");
    FloatBuf fx = need(dx, (long) n * h * w * ch, "dx");
    call(c -> k.col2im(c.in(fc), n, h, w, ch, kk, pad, c.out(fx)));
  }

  @Override
  public void maxPool2(Buf x, int n, int h, int w, int ch, Buf y, int[] argmax) {
    int outLen = n * (h / 2) * (w / 2) * ch;
    FloatBuf fx = need(x, (long) n * h * w * ch, "x");
    FloatBuf fy = need(y, outLen, "y");
    if (argmax.length < outLen) {
      throw new IllegalArgumentException("maxPool2: argmax holds " + argmax.length + ", needs "
          + outLen);
    }
    call(c -> {
      long am = scratch.reserve(4L * outLen);
      k.maxPool2(c.in(fx), n, h, w, ch, c.out(fy), am);
      if (outLen > 0) {
        scratch.readInts(am, argmax, outLen);
      }
    });
  }

  @Override
  public void maxPool2Backward(Buf dy, int[] argmax, Buf dx) {
    FloatBuf fdy = f(dy);
    FloatBuf fdx = f(dx);
    int n = fdy.length();
    for (int i = 0; i < n; i++) {
      if (argmax[i] < 0 || argmax[i] >= fdx.length()) {
        throw new IndexOutOfBoundsException("maxPool2Backward: argmax[" + i + "] = " + argmax[i]
            + " is outside dx of " + fdx.length());
      }
    }
    call(c -> {
      long d = c.out(fdx);
      k.fill(d, fdx.length(), 0f);
      k.maxPool2Backward(c.in(fdy), scratch.ints(java.util.Arrays.copyOf(argmax, n)), n, d);
    });
  }

  // ---------------------------------------------------------------- optimizer updates

  @Override
  public void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu) {
    sameLength(p, g);
    sameLength(p, v);
    FloatBuf fp = f(p);
    FloatBuf fg = f(g);
    FloatBuf fv = f(v);
    call(c -> k.sgdMomentum(c.out(fp), c.in(fg), c.out(fv), fp.length(), (float) lr,
        (float) mu));
  }

  @Override
  public void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps,
      long t) {
    sameLength(p, g);
    sameLength(p, m);
    sameLength(p, v);
    FloatBuf fp = f(p);
    FloatBuf fg = f(g);
    FloatBuf fm = f(m);
    FloatBuf fv = f(v);
    double c1 = 1 - Math.pow(b1, t);
    double c2 = 1 - Math.pow(b2, t);
    call(c -> k.adam(c.out(fp), c.in(fg), c.out(fm), c.out(fv), fp.length(), (float) lr,
        (float) b1, (float) b2, (float) eps, c1, c2));
  }

  @Override
  public void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr,
      double b1, double b2, double eps, long t) {
    FloatBuf ft = f(table);
    FloatBuf fr = need(rows, (long) ids.length * dim, "rows");
    FloatBuf fm = need(m, ft.length(), "m");
    FloatBuf fv = need(v, ft.length(), "v");
    Groups g = Groups.of(ids, rowsOf(ft, dim), "sparseAdam: id");
    double c1 = 1 - Math.pow(b1, t);
    double c2 = 1 - Math.pow(b2, t);
    call(c -> k.sparseAdam(c.out(ft), dim, c.in(fr), scratch.ints(g.order()),
        scratch.ints(g.starts()), scratch.ints(g.keys()), g.count(), c.out(fm), c.out(fv),
        (float) lr, (float) b1, (float) b2, (float) eps, c1, c2));
  }

  @Override
  public void sparseAdagrad(Buf table, int dim, int[] ids, Buf rows, Buf acc, double lr,
      double eps) {
    FloatBuf ft = f(table);
    FloatBuf fr = need(rows, (long) ids.length * dim, "rows");
    FloatBuf fa = need(acc, ft.length(), "acc");
    Groups g = Groups.of(ids, rowsOf(ft, dim), "sparseAdagrad: id");
    call(c -> k.sparseAdagrad(c.out(ft), dim, c.in(fr), scratch.ints(g.order()),
        scratch.ints(g.starts()), scratch.ints(g.keys()), g.count(), c.out(fa), (float) lr,
        (float) eps));
  }

  // ---------------------------------------------------------------- LSTM cell (Ops)

  /**
   * The LSTM cell's element-wise forward: gates(rows, 4H) pre-activations [i|f|g|o] become their
   * activations; c = f cPrev + i g; h = o tanh(c).
   */
  @Override
  public void lstmCellForward(Buf gates, Buf cPrev, Buf c, Buf h, int rows, int hidden) {
    long n = (long) rows * hidden;
    FloatBuf fg = need(gates, 4 * n, "gates");
    FloatBuf fp = need(cPrev, n, "cPrev");
    FloatBuf fc = need(c, n, "c");
    FloatBuf fh = need(h, n, "h");
    call(x -> k.lstmCellForward(x.out(fg), x.in(fp), x.out(fc), x.out(fh), rows, hidden));
  }

  /** Its backward (dc may be null: no gradient reaches c from a later step). */
  @Override
  public void lstmCellBackward(Buf gates, Buf cPrev, Buf c, Buf dh, Buf dc, Buf dGates,
      Buf dcPrev, int rows, int hidden) {
    long n = (long) rows * hidden;
    FloatBuf fg = need(gates, 4 * n, "gates");
    FloatBuf fp = need(cPrev, n, "cPrev");
    FloatBuf fc = need(c, n, "c");
    FloatBuf fdh = need(dh, n, "dh");
    FloatBuf fdc = dc == null ? null : need(dc, n, "dc");
    FloatBuf fdg = need(dGates, 4 * n, "dGates");
    FloatBuf fdp = need(dcPrev, n, "dcPrev");
    call(x -> k.lstmCellBackward(x.in(fg), x.in(fp), x.in(fc), x.in(fdh),
        fdc == null ? 0 : x.in(fdc), x.out(fdg), x.out(fdp), rows, hidden));
  }

  // ---------------------------------------------------------------- helpers

  /** One call: context current, fresh scratch, operands staged, written ones returned after. */
  private void call(Consumer<DeviceArrays.Call> body) {
    driver.makeCurrent();
    scratch.reset();
    DeviceArrays.Call c = mem.call();
    body.accept(c);
    c.done();
  }

  private static FloatBuf f(Buf b) {
    if (b instanceof FloatBuf fb) {
      return fb;
    }
    throw new IllegalArgumentException("cuda works on float buffers, got "
        + b.getClass().getSimpleName() + " (a buffer of another backend)");
  }

  /** b as a float buffer of at least n elements. */
  private static FloatBuf need(Buf b, long n, String what) {
    FloatBuf fb = f(b);
    if (fb.length() < n) {
      throw new IndexOutOfBoundsException(what + " holds " + fb.length() + " elements, needs "
          + n);
    }
    return fb;
  }

  private static int rowsOf(FloatBuf table, int dim) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be positive, was " + dim);
    }
    return table.length() / dim;
  }

  private static void checkIds(int[] ids, int tableLength, int dim, String what) {
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be positive, was " + dim);
    }
    int rows = tableLength / dim;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= rows) {
        throw new IndexOutOfBoundsException(what + " " + ids[i] + " at position " + i
            + " is outside [0, " + rows + ")");
      }
    }
  }

  /** Offsets must be non-decreasing within [0, n]; returns the bag count. */
  private static int checkOffsets(int[] offsets, int n) {
    if (offsets.length < 1) {
      throw new IllegalArgumentException("offsets needs bags + 1 entries, has none");
    }
    for (int b = 0; b + 1 < offsets.length; b++) {
      if (offsets[b] < 0 || offsets[b] > offsets[b + 1] || offsets[b + 1] > n) {
        throw new IllegalArgumentException("offsets[" + b + "] = " + offsets[b] + ", offsets["
            + (b + 1) + "] = " + offsets[b + 1] + ": not a bag of " + n + " ids");
      }
    }
    return offsets.length - 1;
  }
}
