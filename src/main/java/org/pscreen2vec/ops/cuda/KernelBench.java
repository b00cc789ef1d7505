package org.pscreen2vec.ops.cuda;

import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * The memory-bound kernels of {@code bench-kernels}, each through the {@link Ops} call the layers
 * make, with the bytes it must move, and first a device-to-device copy of the same buffers as
 * the ceiling every kernel is compared against. Two times per call: the wall clock of the whole
 * {@code Ops} call (host-side work such as grouping ids, and the transfers of host arrays such as
 * ids and argmax, included: what a layer pays) and the device's own time of the kernels it
 * launched (CUDA events around each launch: what the kernel's fraction of copy bandwidth is about).
 * Rows: kind,name,elements,bytes_per_call,median_us,min_us,max_us,gbps,fraction_of_copy,tflops,
 * fraction_of_peak,registers,kernel_us,kernel_gbps,kernel_fraction_of_copy.
 */
public final class KernelBench {
  private static final Logger LOG = LogManager.getLogger(KernelBench.class);
  private static final int COLS = 1024; // row length of the row kernels
  private static final int DIM = 512;   // embedding width

  private final CudaOps gpu;
  private final int n;
  private final int repeats;
  private final int batch;
  private final List<String> rows;
  private double copyGbps;
  private double copyKernelGbps;

  public KernelBench(CudaOps gpu, int n, int repeats, int batch, List<String> rows) {
    this.gpu = gpu;
    this.n = n / (4 * COLS) * (4 * COLS); // whole rows for every shape below
    this.repeats = repeats;
    this.batch = batch;
    this.rows = rows;
  }

  public void run() {
    Buf x = random(gpu, n, 1);
    Buf y = random(gpu, n, 2);
    Buf z = random(gpu, n, 3);
    Buf w = random(gpu, n, 4);
    Buf u = positive(gpu, n, 5);
    int r = n / COLS;
    Buf bias = random(gpu, COLS, 6);
    bench("copy", "cuMemcpyDtoD", 8L * n, () -> gpu.copy(x, y));
    bench("fill", "fill_f32", 4L * n, () -> gpu.fill(y, 0.5));
    bench("axpy", "axpy_f32", 12L * n, () -> gpu.axpy(1e-3, x, y));
    bench("scale", "scale_f32", 8L * n, () -> gpu.scale(y, 0.999));
    bench("mul", "mul_f32", 12L * n, () -> gpu.mul(x, y, z));
    bench("mulAddInto", "mul_f32", 16L * n, () -> gpu.mulAddInto(x, y, z));
    bench("reduceSegment", "segment_sum_f32", 12L * n, () -> gpu.reduceSegment(x, y));
    bench("relu", "bias_act_fwd", 8L * n, () -> gpu.relu(x, z));
    bench("biasTanh", "bias_act_fwd", 8L * n,
        () -> gpu.biasActivation(x, r, COLS, bias, z, Kernels.ACT_TANH));
    bench("tanhBackward", "act_bwd_f32", 12L * n, () -> gpu.tanhBackward(z, y, w));
    Buf dBias = gpu.alloc(COLS);
    bench("biasTanhBackward", "bias_act_bwd", 12L * n,
        () -> gpu.biasActivationBackward(z, y, w, dBias, r, COLS, Kernels.ACT_TANH));
    bench("sumRowsInto", "bias_act_bwd", 4L * n, () -> gpu.sumRowsInto(x, r, COLS, dBias));
    bench("copyColumns", "copy_columns", 4L * n,
        () -> gpu.copyColumns(x, COLS, COLS / 2, z, COLS / 2, 0, r, COLS / 2));
    boolean[] keep = new boolean[r];
    for (int i = 0; i < r; i += 2) {
      keep[i] = true;
    }
    bench("selectRows", "select_rows", 8L * n, () -> gpu.selectRows(keep, x, y, z, COLS));
    bench("sgdMomentum", "sgd_momentum", 20L * n, () -> gpu.sgdMomentum(z, x, w, 1e-6, 0.9));
    long[] t = {0};
    bench("adam", "adam", 28L * n,
        () -> gpu.adam(z, x, w, u, 1e-6, 0.9, 0.999, 1e-8, ++t[0]));
    embeddings(x, y, z, w, u);
    bench("softmaxCrossEntropy", "softmax_xent", 8L * n,
        () -> gpu.softmaxCrossEntropy(x, r, COLS, new int[r], null, z, 1.0 / r));
    bench("squaredError", "squared_error", 12L * n, () -> gpu.squaredError(x, y, z, 1.0 / n));
    conv(x, z);
    int hidden = COLS;
    int lr = n / (4 * hidden);
    Buf c = gpu.alloc(lr * hidden);
    Buf h = gpu.alloc(lr * hidden);
    Buf cPrev = random(gpu, lr * hidden, 7);
    bench("lstmCellForward", "lstm_cell_fwd", 11L * n,
        () -> gpu.lstmCellForward(z, cPrev, c, h, lr, hidden));
    bench("lstmCellBackward", "lstm_cell_bwd", 13L * n,
        () -> gpu.lstmCellBackward(z, cPrev, c, h, cPrev, w, y.slice(0, lr * hidden), lr,
            hidden));
  }

  private void embeddings(Buf x, Buf y, Buf z, Buf w, Buf u) {
    int count = n / DIM;
    Random rnd = new Random(8);
    int[] ids = new int[count];
    for (int i = 0; i < count; i++) {
      ids[i] = i;
    }
    for (int i = count - 1; i > 0; i--) { // a permutation: unique ids, random order
      int j = rnd.nextInt(i + 1);
      int s = ids[i];
      ids[i] = ids[j];
      ids[j] = s;
    }
    bench("gatherRows", "gather_rows", 8L * n, () -> gpu.gatherRows(x, DIM, ids, z));
    bench("scatterAddRows", "scatter_add_rows", 12L * n,
        () -> gpu.scatterAddRows(x, DIM, ids, y));
    int bags = count / 8;
    int[] offsets = new int[bags + 1];
    for (int b = 0; b <= bags; b++) {
      offsets[b] = 8 * b;
    }
    bench("bagMean", "bag_mean_fwd", 4L * n + 4L * bags * DIM,
        () -> gpu.bagMean(x, DIM, ids, offsets, z));
    bench("bagMeanBackward", "bag_mean_bwd", 8L * n + 4L * bags * DIM,
        () -> gpu.bagMeanBackward(x, DIM, ids, offsets, y));
    long[] t = {0};
    bench("sparseAdam", "sparse_adam", 28L * n,
        () -> gpu.sparseAdam(z, DIM, ids, x, w, u, 1e-6, 0.9, 0.999, 1e-8, ++t[0]));
    bench("sparseAdagrad", "sparse_adagrad", 20L * n,
        () -> gpu.sparseAdagrad(z, DIM, ids, x, u, 1e-6, 1e-8));
  }

  private void conv(Buf x, Buf z) {
    int h = 32;
    int w = 32;
    int c = 8;
    int k = 3;
    int images = n / (h * w * c * k * k);
    long in = (long) images * h * w * c;
    long cols = in * k * k;
    bench("im2col", "im2col", 4 * (in + cols), () -> gpu.im2col(x, images, h, w, c, k, 1, z));
    bench("col2im", "col2im", 4 * (in + cols), () -> gpu.col2im(x, images, h, w, c, k, 1, z));
    int pn = n / (h * w * c);
    int out = pn * (h / 2) * (w / 2) * c;
    int[] argmax = new int[out];
    // device: read x, write y and argmax; plus argmax to the host (Ops takes a host int[])
    bench("maxPool2", "maxpool2_fwd", 4L * n + 8L * out,
        () -> gpu.maxPool2(x, pn, h, w, c, z, argmax));
    bench("maxPool2Backward", "maxpool2_bwd", 4L * n + 8L * out,
        () -> gpu.maxPool2Backward(z.slice(0, out), argmax, x));
  }

  private void bench(String name, String kernel, long bytes, Runnable call) {
    double[] dev = new double[repeats];
    double[] us = time(gpu, repeats, batch, call, dev);
    double median = median(us);
    double gbps = bytes / (median * 1e-6) / 1e9;
    double kernelUs = median(dev);
    double kernelGbps = bytes / (kernelUs * 1e-6) / 1e9;
    if (name.equals("copy")) {
      copyGbps = gbps;
      copyKernelGbps = kernelGbps;
    }
    int regs = kernel.startsWith("cu") ? -1 : gpu.registers(kernel);
    rows.add(String.format(Locale.ROOT, "kernel,%s,%d,%d,%.1f,%.1f,%.1f,%.1f,%.3f,,,%d,%.1f,%.1f,"
        + "%.3f", name, n, bytes, median, min(us), max(us), gbps, gbps / copyGbps, regs, kernelUs,
        kernelGbps, kernelGbps / copyKernelGbps));
    LOG.info(String.format(Locale.ROOT, "%-20s %-17s call %9.1f us (min %.1f, max %.1f) %5.1f%% "
        + "of copy; kernel %9.1f us %7.1f GB/s = %5.1f%% of copy", name, kernel, median, min(us),
        max(us), 100 * gbps / copyGbps, kernelUs, kernelGbps, 100 * kernelGbps / copyKernelGbps));
  }

  /** Microseconds per call of each of repeats batches (batch calls, synchronized around). */
  public static double[] time(CudaOps gpu, int repeats, int batch, Runnable call) {
    return time(gpu, repeats, batch, call, null);
  }

  /**
   * As {@link #time(CudaOps, int, int, Runnable)}; where {@code deviceUs} is given, also the
   * device's microseconds per call of the kernels and copies the calls launched (events).
   */
  static double[] time(CudaOps gpu, int repeats, int batch, Runnable call, double[] deviceUs) {
    for (int i = 0; i < Math.min(batch, 3); i++) {
      call.run(); // warm-up: module, first-use uploads, scratch growth
    }
    gpu.synchronize();
    double[] us = new double[repeats];
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < batch; i++) {
        call.run();
      }
      gpu.synchronize();
      us[r] = (System.nanoTime() - t0) / 1e3 / batch;
    }
    if (deviceUs != null) { // separate batches: the events' own cost stays out of the wall times
      gpu.timeLaunches(true);
      try {
        for (int r = 0; r < repeats; r++) {
          for (int i = 0; i < batch; i++) {
            call.run();
          }
          deviceUs[r] = gpu.timedMillis() * 1e3 / batch;
        }
      } finally {
        gpu.timeLaunches(false);
      }
    }
    return us;
  }

  /** A buffer of n uniform values in [-0.5, 0.5). */
  public static Buf random(Ops ops, int n, long seed) {
    float[] v = new float[n];
    Random r = new Random(seed);
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    Buf b = ops.alloc(n);
    ops.upload(v, 0, b, 0, n);
    return b;
  }

  private static Buf positive(Ops ops, int n, long seed) {
    Buf b = random(ops, n, seed);
    ops.mul(b, b, b); // squares: second moments must not be negative
    return b;
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    java.util.Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static double min(double[] v) {
    return java.util.Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return java.util.Arrays.stream(v).max().orElse(Double.NaN);
  }
}
