package org.pscreen2vec.ops.cpu;

import static org.pscreen2vec.ops.Checks.sameLength;

import java.util.Set;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Checks;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.GemmCounters;
import org.pscreen2vec.ops.Ops;

/**
 * The CPU training backend: float buffers, every kernel a plain-Java loop over the backing arrays
 * ({@link FloatKernels}, {@link FloatKernels2}), and matrix products by ND4J's native backend
 * (OpenBLAS) above a size threshold. {@link #plainJava()} is the same backend without native code
 * (parameter servers apply their optimizers with it).
 *
 * <p>System property {@code pscreen2vec.gemm} = {@code nd4j} (default) or {@code java} switches
 * every product to one path, for comparison.
 */
public final class CpuOps implements Ops {
  private static final Logger LOG = LogManager.getLogger(CpuOps.class);
  /** Products with fewer multiply-adds than this run in Java (ND4J's call overhead dominates). */
  static final long SMALL_GEMM = 32L * 32 * 32;
  /**
   * Products that copy their operands ({@link Nd4jGemm} without pinned arrays) and have fewer
   * multiply-adds than this run on one BLAS thread even when the backend has more (issue 15);
   * products on pinned arrays have their own, lower limit ({@link #PINNED_PARALLEL_MACS}). Where
   * this one comes from, measured on the 2-core VM (docs/PERFORMANCE.md, "Thread defaults"): the
   * Fashion MLP's products (at most 64 x 256 x 784 = 12.8 M multiply-adds) took 2.8-5x longer on
   * 2 threads than on 1 (a loaded machine), its epoch 4.7 s at 2 threads against 2.85 s at 1
   * (issue 15); paper-size products (64 x 11200 x 2048 = 1.5 G) ran at 94-129 GFLOP/s on 2
   * threads on a quiet machine, beyond one core. Changing OpenBLAS's count through ND4J costs
   * about 0.11 ms (its JavaCPP wrapper searches the disk for other BLAS libraries; {@link
   * PinnedGemm} sets it directly where its library loads), so a model whose products straddle
   * the limit pays that per crossing. The limit was 64 M until a quiet A/B of the 1-worker
   * Screen2Vec local training step (its layout autoencoder's products lie between 64 M and 512
   * M): 108-143 ms per step with 64 M, 73-90 ms with 512 M, 74-88 ms with every product on one
   * thread (docs/PERFORMANCE.md, "Quiet re-measurements at the end of this session").
   * {@code -Dpscreen2vec.parallelGemmMacs=N} overrides it (for measurements).
   */
  static final long PARALLEL_GEMM_MACS =
      Long.getLong("pscreen2vec.parallelGemmMacs", 512L * 1024 * 1024);
  /**
   * Products on pinned arrays ({@link PinnedGemm}: no copies, switches at no cost) with at least
   * this many multiply-adds run on the allowance, smaller ones on one thread. 16 M keeps the
   * Fashion MLP's products (at most 12.8 M) on one thread and puts the paper model's trace LSTM
   * and most of its recurrent time steps on two. Chosen from training runs' total time, not
   * bench-step's median steps, which hid a heavier tail (docs/PERFORMANCE.md, "Thread switches"):
   * with every product on two threads the MLP's 1,500 steps took 1.37x as long while its median
   * step fell. {@code -Dpscreen2vec.pinnedParallelMacs=N} overrides it (for measurements).
   */
  static final long PINNED_PARALLEL_MACS =
      Long.getLong("pscreen2vec.pinnedParallelMacs", 16L * 1024 * 1024);
  /**
   * Products of at least {@link #WIDE_GEMM_MACS} multiply-adds whose three sides are all at least
   * this long also run on the allowance (issue 15, "step"): in a quiet sweep on the 2-core VM
   * (docs/PERFORMANCE.md, "Screen2Vec step, round 2") the paper-size screen RNN's per-step
   * products, 128-256 rows x 768 x 768 (75-151 M multiply-adds), took 0.59-0.71x the one-thread
   * time on 2 threads; 64 rows 0.95x at best, 32 rows 1.66x. The local layout autoencoder's
   * products (118 x 128 x 11200 and its transposes, 169 M) have a side of at most 128 and stay on
   * one thread, where the training step measured them faster (above), though they too ran
   * 0.6-0.8x on 2 threads in the quiet sweep. {@code -Dpscreen2vec.parallelGemmSide=N} moves it.
   */
  static final int PARALLEL_GEMM_SIDE = Integer.getInteger("pscreen2vec.parallelGemmSide", 160);
  /** See {@link #PARALLEL_GEMM_SIDE}. */
  static final long WIDE_GEMM_MACS = 64L * 1024 * 1024;
  /**
   * Whether several ranks run as threads of this JVM (multicore or hybdev with more than one
   * rank, as the launcher says; niodev and native run one JVM per rank): they share OpenBLAS's
   * process-wide thread count, so switching it per product would serialize their products; they
   * keep the allowance as it is.
   */
  static final boolean RANKS_SHARE_JVM =
      !Set.of("niodev", "native").contains(System.getProperty("pscreen2vec.device", "multicore"))
          && Integer.getInteger("pscreen2vec.np", 1) > 1;

  /**
   * Held while ND4J and OpenBLAS load their native libraries. Multicore MPJ ranks are threads of
   * one JVM, each with its own class loader, and load those libraries at the same moment: JavaCPP
   * calls dlopen from inside a dl_iterate_phdr callback while another rank is in dlopen, and
   * glibc's two loader locks deadlock (seen: a 2-rank job hung forever at start-up, both rank
   * threads in futex waits on _rtld_global). A string literal is interned JVM-wide, so this one
   * object is shared by every rank's class loader, which a static Object would not be.
   */
  static final String NATIVE_LOAD_LOCK = "org.pscreen2vec.ops.cpu.native-load";

  private final GemmCounters counters = new GemmCounters();
  private final Nd4jGemm nd4j; // null: every product in Java
  private final int threads;
  private final String name;

  /**
   * The backend with ND4J's products (plain Java if ND4J's native backend does not load).
   *
   * @param threads BLAS/OpenMP threads of this process; see {@link #defaultThreads}
   */
  public CpuOps(int threads) {
    this(threads, true);
  }

  /**
   * {@code pinnedProducts} false: products copy their operands and switch threads by {@link
   * #parallel} even where they could pin (tests compare the two).
   */
  CpuOps(int threads, boolean pinnedProducts) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    this.threads = threads;
    Nd4jGemm g = null;
    if (!"java".equals(System.getProperty("pscreen2vec.gemm", "nd4j"))) {
      try {
        synchronized (NATIVE_LOAD_LOCK) {
          Nd4jGemm.setThreads(threads);
          g = new Nd4jGemm(pinnedProducts);
        }
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("ND4J native backend unavailable ({}); matrix products run in plain Java",
            e.toString());
      }
    }
    this.nd4j = g;
    this.name = g == null ? "cpu-java" : "cpu-nd4j";
  }

  /** The native product path; null when every product runs in Java. */
  Nd4jGemm nd4jGemm() {
    return nd4j;
  }

  private CpuOps() {
    this.threads = 1;
    this.nd4j = null;
    this.name = "java-float";
  }

  /** Float kernels and products in plain Java, one thread, no native code ("java-float"). */
  public static CpuOps plainJava() {
    return new CpuOps();
  }

  /**
   * Threads per rank when nothing is set: the host's cores divided by the ranks sharing this JVM
   * (multicore MPJ ranks are threads of one process and share its BLAS setting), at least 1.
   * This is an allowance: products below {@link #PARALLEL_GEMM_MACS} multiply-adds use one.
   */
  public static int defaultThreads(int ranksOnHost) {
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, cores / Math.max(1, ranksOnHost));
  }

  @Override
  public String name() {
    return name;
  }

  public int threads() {
    return threads;
  }

  @Override
  public boolean isDouble() {
    return false;
  }

  @Override
  public Buf alloc(int n) {
    return new FloatBuf(new float[n]);
  }

  @Override
  public GemmCounters counters() {
    return counters;
  }

  // ---------------------------------------------------------------- host transfers

  @Override
  public void upload(float[] src, int srcOff, Buf dst, int dstOff, int n) {
    Checks.transfer(dst, dstOff, src.length, srcOff, n);
    FloatBuf d = f(dst);
    System.arraycopy(src, srcOff, d.array(), d.offset() + dstOff, n);
  }

  @Override
  public void download(Buf src, int srcOff, float[] dst, int dstOff, int n) {
    Checks.transfer(src, srcOff, dst.length, dstOff, n);
    FloatBuf s = f(src);
    System.arraycopy(s.array(), s.offset() + srcOff, dst, dstOff, n);
  }

  @Override
  public float[] hostArray(Buf b) {
    FloatBuf fb = f(b);
    return fb.offset() == 0 && fb.length() == fb.array().length ? fb.array() : null;
  }

  // ---------------------------------------------------------------- matrix products

  @Override
  public void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    Checks.gemm(m, n, k, a, b, c);
    if (m == 0 || n == 0) {
      return;
    }
    long t0 = System.nanoTime();
    if (k == 0) { // C = beta C; beta 0 does not read C (BLAS semantics, like the products)
      if (beta == 0) {
        fill(c.slice(0, m * n), 0);
      } else {
        scale(c.slice(0, m * n), beta);
      }
    } else if (nd4j != null && (long) m * n * k >= SMALL_GEMM) {
      if (threads == 1 || RANKS_SHARE_JVM) {
        nd4j.gemm(ta, tb, m, n, k, (float) alpha, f(a), f(b), (float) beta, f(c));
      } else {
        // One rank in this JVM (the lock only guards against another user of OpenBLAS here). A
        // product runs on the same number of threads every time (by its size and path), so
        // results stay reproducible (1 and 2 threads differ in the last bits for some shapes).
        synchronized (NATIVE_LOAD_LOCK) {
          Nd4jGemm.useThreads(parallel(nd4j.pinned(), m, n, k) ? threads : 1);
          nd4j.gemm(ta, tb, m, n, k, (float) alpha, f(a), f(b), (float) beta, f(c));
        }
      }
    } else {
      FloatKernels.gemm(ta, tb, m, n, k, (float) alpha, f(a), f(b), (float) beta, f(c));
    }
    counters.add(ta, tb, m, n, k, System.nanoTime() - t0);
  }

  /**
   * Keeps one off-heap copy of b for the products until the handle is closed (issue 15: the
   * screen RNN multiplies by its recurrent weights once per time step, and copying 768 x 768
   * floats into native memory for each product was most of the step's operand copies).
   */
  @Override
  public Held hold(Buf b) {
    if (nd4j == null) {
      return Held.NONE;
    }
    FloatBuf fb = f(b);
    nd4j.hold(fb);
    return () -> nd4j.release(fb);
  }

  /** Whether a product of this shape on this path runs on the rank's whole BLAS allowance. */
  static boolean parallel(boolean pinned, int m, int n, int k) {
    return pinned ? (long) m * n * k >= PINNED_PARALLEL_MACS : parallel(m, n, k);
  }

  /** Whether a product of copied operands of this shape runs on the rank's allowance. */
  static boolean parallel(int m, int n, int k) {
    long macs = (long) m * n * k;
    return macs >= PARALLEL_GEMM_MACS
        || macs >= WIDE_GEMM_MACS && Math.min(m, Math.min(n, k)) >= PARALLEL_GEMM_SIDE;
  }

  // ---------------------------------------------------------------- element-wise

  @Override
  public void fill(Buf x, double v) {
    FloatBuf fx = f(x);
    java.util.Arrays.fill(fx.array(), fx.offset(), fx.offset() + fx.length(), (float) v);
  }

  @Override
  public void copy(Buf src, Buf dst) {
    sameLength(src, dst);
    FloatBuf s = f(src);
    FloatBuf d = f(dst);
    System.arraycopy(s.array(), s.offset(), d.array(), d.offset(), s.length());
  }

  @Override
  public void axpy(double alpha, Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels.axpy((float) alpha, f(x), f(y));
  }

  @Override
  public void scale(Buf x, double alpha) {
    FloatKernels.scale(f(x), (float) alpha);
  }

  @Override
  public void mul(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    FloatKernels2.mul(f(a), f(b), f(out), false);
  }

  @Override
  public void mulAddInto(Buf a, Buf b, Buf out) {
    sameLength(a, b);
    sameLength(a, out);
    FloatKernels2.mul(f(a), f(b), f(out), true);
  }

  @Override
  public void relu(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels.relu(f(x), f(y));
  }

  @Override
  public void reluBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels.reluBackward(f(y), f(dy), f(dx));
  }

  @Override
  public void tanh(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels2.tanh(f(x), f(y));
  }

  @Override
  public void tanhBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels2.tanhBackward(f(y), f(dy), f(dx));
  }

  @Override
  public void sigmoid(Buf x, Buf y) {
    sameLength(x, y);
    FloatKernels2.sigmoid(f(x), f(y));
  }

  @Override
  public void sigmoidBackward(Buf y, Buf dy, Buf dx) {
    sameLength(y, dy);
    sameLength(y, dx);
    FloatKernels2.sigmoidBackward(f(y), f(dy), f(dx));
  }

  // ---------------------------------------------------------------- rows and columns

  @Override
  public void addRowVector(Buf x, int rows, int cols, Buf v) {
    FloatKernels.addRowVector(f(x), rows, cols, f(v));
  }

  @Override
  public void sumRowsInto(Buf x, int rows, int cols, Buf out) {
    FloatKernels.sumRowsInto(f(x), rows, cols, f(out));
  }

  @Override
  public void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol,
      int rows, int width) {
    FloatKernels2.copyColumns(f(src), srcCols, srcCol, f(dst), dstCols, dstCol, rows, width);
  }

  @Override
  public void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols) {
    FloatKernels2.selectRows(keep, f(a), f(b), f(out), cols);
  }

  @Override
  public void zeroRows(boolean[] keep, Buf x, int cols) {
    FloatKernels2.zeroRows(keep, f(x), cols);
  }

  // ---------------------------------------------------------------- embeddings

  @Override
  public void gatherRows(Buf table, int dim, int[] ids, Buf out) {
    FloatKernels2.gatherRows(f(table), dim, ids, f(out));
  }

  @Override
  public void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable) {
    FloatKernels2.scatterAddRows(f(dOut), dim, ids, f(dTable));
  }

  @Override
  public void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out) {
    FloatBuf t = f(table);
    FloatBuf o = f(out);
    // split by columns over the rank's threads: bitwise on any count (issue 15, "step")
    FusedKernels.split(dim, (long) ids.length * dim, threads,
        (j0, j1) -> FloatKernels.bagMean(t, dim, ids, offsets, o, j0, j1));
  }

  @Override
  public void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows) {
    FloatBuf g = f(dOut);
    FloatBuf d = f(dRows);
    // by columns, not bags: bags share rows (a token in several texts); bitwise on any count
    FusedKernels.split(dim, (long) slots.length * dim, threads,
        (j0, j1) -> FloatKernels2.bagMeanBackward(g, dim, slots, offsets, d, j0, j1));
  }

  // ---------------------------------------------------------------- losses

  @Override
  public double softmaxCrossEntropy(Buf logits, int rows, int cols, int[] targets,
      boolean[] allowed, Buf dLogits, double scale) {
    return FloatKernels2.softmaxCrossEntropy(f(logits), rows, cols, targets, allowed, f(dLogits),
        scale);
  }

  @Override
  public double squaredError(Buf pred, Buf target, Buf dPred, double scale) {
    sameLength(pred, target);
    sameLength(pred, dPred);
    return FloatKernels2.squaredError(f(pred), f(target), f(dPred), scale);
  }

  // ---------------------------------------------------------------- convolution (NHWC)

  @Override
  public void im2col(Buf x, int n, int h, int w, int c, int k, int pad, Buf cols) {
    ConvKernels.im2col(f(x), n, h, w, c, k, pad, f(cols));
  }

  @Override
  public void col2im(Buf dCols, int n, int h, int w, int c, int k, int pad, Buf dx) {
    ConvKernels.col2im(f(dCols), n, h, w, c, k, pad, f(dx));
  }

  @Override
  public void maxPool2(Buf x, int n, int h, int w, int c, Buf y, int[] argmax) {
    ConvKernels.maxPool2(f(x), n, h, w, c, f(y), argmax);
  }

  @Override
  public void maxPool2Backward(Buf dy, int[] argmax, Buf dx) {
    ConvKernels.maxPool2Backward(f(dy), argmax, f(dx));
  }

  // ---------------------------------------------------------------- whole convolution layers

  /**
   * Whether {@link #conv2d} and {@link #conv2dBackward} run {@link DirectConv} (default) or the
   * interface's im2col + GEMM path ({@code -Dpscreen2vec.conv=im2col}, for comparison: {@code
   * make bench-conv} times both).
   */
  private final boolean directConv =
      !"im2col".equals(System.getProperty("pscreen2vec.conv", "direct"));
  /** Work arrays of the direct convolution, one set per calling thread. */
  private final ThreadLocal<DirectConv> conv = ThreadLocal.withInitial(DirectConv::new);

  @Override
  public long conv2dScratch(int n, int h, int w, int cin, int k) {
    return directConv ? 0 : Ops.super.conv2dScratch(n, h, w, cin, k);
  }

  @Override
  public void conv2d(Buf x, int n, int h, int w, int cin, int k, Buf wt, Buf bias, int cout,
      Buf y, Buf scratch) {
    DirectConv.check("conv2d", x, n, h, w, cin, k, wt, cout, y, bias, scratch,
        conv2dScratch(n, h, w, cin, k));
    if (n * h * w == 0) {
      return;
    }
    if (!directConv) {
      Ops.super.conv2d(x, n, h, w, cin, k, wt, bias, cout, y, scratch);
      return;
    }
    FloatBuf fx = f(x);
    FloatBuf fw = f(wt);
    FloatBuf fb = f(bias);
    FloatBuf fy = f(y);
    conv.get().forward(fx.array(), fx.offset(), n, h, w, cin, k, fw.array(), fw.offset(),
        fb.array(), fb.offset(), cout, fy.array(), fy.offset());
  }

  @Override
  public void conv2dBackward(Buf x, int n, int h, int w, int cin, int k, Buf wt, int cout,
      Buf dy, Buf dWt, Buf dBias, Buf dx, Buf scratch) {
    DirectConv.check("conv2dBackward", x, n, h, w, cin, k, wt, cout, dy, dBias, scratch,
        conv2dScratch(n, h, w, cin, k));
    DirectConv.check("conv2dBackward", dx == null ? x : dx, n, h, w, cin, k, dWt, cout, dy,
        dBias, scratch, conv2dScratch(n, h, w, cin, k));
    if (n * h * w == 0) {
      return;
    }
    if (!directConv) {
      Ops.super.conv2dBackward(x, n, h, w, cin, k, wt, cout, dy, dWt, dBias, dx, scratch);
      return;
    }
    FloatBuf fx = f(x);
    FloatBuf fw = f(wt);
    FloatBuf fdy = f(dy);
    FloatBuf fdw = f(dWt);
    FloatBuf fdb = f(dBias);
    FloatBuf fdx = dx == null ? null : f(dx);
    conv.get().backward(fx.array(), fx.offset(), n, h, w, cin, k, fw.array(), fw.offset(), cout,
        fdy.array(), fdy.offset(), fdw.array(), fdw.offset(), fdb.array(), fdb.offset(),
        fdx == null ? null : fdx.array(), fdx == null ? 0 : fdx.offset());
  }

  // ---------------------------------------------------------------- optimizer updates

  @Override
  public void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu) {
    FloatKernels.sgdMomentum(f(p), f(g), f(v), (float) lr, (float) mu);
  }

  @Override
  public void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps,
      long t) {
    FusedKernels.adam(f(p), f(g), f(m), f(v), lr, b1, b2, eps, t, threads);
  }

  @Override
  public void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr,
      double b1, double b2, double eps, long t) {
    FloatKernels2.sparseAdam(f(table), dim, ids, f(rows), f(m), f(v), lr, b1, b2, eps, t);
  }

  @Override
  public void sparseAdagrad(Buf table, int dim, int[] ids, Buf rows, Buf acc, double lr,
      double eps) {
    FloatKernels2.sparseAdagrad(f(table), dim, ids, f(rows), f(acc), (float) lr, (float) eps);
  }

  // ---------------------------------------------------------------- fused layer steps

  /**
   * x(rows, cols)[r] = tanh(x[r] + v), bitwise {@link #addRowVector} then {@link #tanh}. On one
   * thread: the kernel can split its columns over the rank's threads (bitwise), but the screen
   * RNN calls it (and the backward below) once per time step, about 2 x 240 hand-offs per paper
   * step, and on the loaded 2-core VM that split cost more than it saved (other compute 333 ->
   * 370 ms in 2 alternated pairs, docs/PERFORMANCE.md "Screen2Vec step, round 2").
   */
  @Override
  public void biasTanh(Buf x, int rows, int cols, Buf v) {
    FusedKernels.biasTanh(f(x).slice(0, rows * cols), rows, cols, f(v), 1);
  }

  /** Bitwise {@link #tanhBackward} then {@link #sumRowsInto}(dx, rows, cols, out). */
  @Override
  public void tanhBackwardSumRows(Buf y, Buf dy, Buf dx, int rows, int cols, Buf out) {
    sameLength(y, dy);
    sameLength(y, dx);
    FusedKernels.tanhBackwardSumRows(f(y), f(dy), f(dx), rows, cols, f(out), 1); // see above
  }

  @Override
  public void lstmCellForward(Buf gates, Buf cPrev, Buf c, Buf h, int rows, int hidden) {
    long n = (long) rows * hidden;
    lstmLengths(gates, n, cPrev, c, h);
    LstmKernels.forward(f(gates), f(cPrev), f(c), f(h), rows, hidden);
  }

  @Override
  public void lstmCellBackward(Buf gates, Buf cPrev, Buf c, Buf dh, Buf dc, Buf dGates,
      Buf dcPrev, int rows, int hidden) {
    long n = (long) rows * hidden;
    lstmLengths(gates, n, cPrev, c, dh);
    lstmLengths(dGates, n, dcPrev, dc == null ? c : dc, dh);
    LstmKernels.backward(f(gates), f(cPrev), f(c), f(dh), dc == null ? null : f(dc), f(dGates),
        f(dcPrev), rows, hidden);
  }

  private static void lstmLengths(Buf gates, long n, Buf a, Buf b, Buf d) {
    if (gates.length() < 4 * n || a.length() < n || b.length() < n || d.length() < n) {
      throw new IllegalArgumentException("an LSTM cell of " + n + " states needs gates of "
          + 4 * n + " and states of " + n + " elements");
    }
  }

  /** This backend's storage; a buffer of another backend is a programming error, named here. */
  private FloatBuf f(Buf b) {
    if (b instanceof FloatBuf fb) {
      return fb;
    }
    throw new IllegalArgumentException(name + " works on float buffers, got "
        + b.getClass().getSimpleName() + " (a buffer of another backend)");
  }
}
