package org.pscreen2vec.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.cuda.CudaOps;
import org.pscreen2vec.ops.cuda.KernelBench;
import org.pscreen2vec.ops.cuda.NoGpuException;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;
import org.pscreen2vec.run.Stats;
import org.pscreen2vec.sync.NoSync;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;
import org.pscreen2vec.train.Trainer;

/**
 * {@code bench-kernels}: the CUDA backend's kernels through {@code Ops}, as the layers call them.
 * Per kernel: time per call (median, min, max over repeats of a batch of calls, warm-up
 * excluded) and achieved bandwidth (bytes the kernel must move / time) as a fraction of a
 * device-to-device copy of the same size measured in the same run; GEMM TFLOP/s against the
 * card's FP32 peak; and one training step of a model on the GPU against the CPU.
 */
public final class BenchKernelsCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(BenchKernelsCommand.class);
  static final String HEADER = "kind,name,elements,bytes_per_call,median_us,min_us,max_us,"
      + "gbps,fraction_of_copy,tflops,fraction_of_peak,registers,kernel_us,kernel_gbps,"
      + "kernel_fraction_of_copy";

  static final Opt<Integer> MIB = Opt.integer("mib", "MIB", 256, 1, 16_384,
      "buffer size of the memory-bound kernels in MiB of floats (fill the GPU: >= 256)");
  static final Opt<Integer> REPEATS = Opt.integer("repeats", "N", 7, 1, 1000,
      "timed batches per kernel (median, min, max over them)");
  static final Opt<Integer> BATCH = Opt.integer("batch", "N", 10, 1, 10_000,
      "calls per timed batch (the GPU is synchronized around each batch)");
  static final Opt<Integer> GEMM_N = Opt.integer("gemm", "N", 8192, 16, 32_768,
      "square GEMM size (N x N x N)");
  /**
   * The paper-size Screen2Vec without its frozen layout codes: those need a trained paper-size
   * layout autoencoder (.deps/models/layout-ae-paper.bin, a training run of its own); the codes
   * are one 64-float input per screen, so the step is the same but for that input.
   */
  static final String DEFAULT_STEP_MODELS = "screen2vec-paper:layout.mode=none";
  static final Opt<String> STEP_MODELS = Opt.text("step-models", "LIST", DEFAULT_STEP_MODELS,
      DEFAULT_STEP_MODELS, "configs/<name>.properties to time one training step of on GPU and "
          + "CPU, each optionally followed by :key=value overrides; 'none': skip. The default "
          + "leaves out the paper model's frozen layout codes, which need a trained "
          + "layout-ae-paper checkpoint");
  static final Opt<Integer> STEPS = Opt.integer("steps", "N", 5, 1, 1000,
      "timed training steps per backend (after 2 warm-up steps)");
  static final Opt<Integer> CPU_STEPS = Opt.integer("cpu-steps", "N", "--steps", 0, 1000,
      "timed steps of the CPU baseline (0: GPU only; the plain-Java CPU backend of the GPU "
          + "bundle needs seconds per paper-size step)");

  @Override
  public String name() {
    return "bench-kernels";
  }

  @Override
  public String summary() {
    return "CUDA kernels: time and bandwidth vs a device copy, GEMM TFLOP/s, GPU vs CPU step";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  @Override
  public Options options() {
    return Opt.options(MIB, REPEATS, BATCH, GEMM_N, Backends.TF32, STEP_MODELS, STEPS, CPU_STEPS,
        TrainCommand.THREADS);
  }

  @Override
  public String helpFooter() {
    return """
        Needs a GPU (exits 2 with "no GPU: reason" elsewhere).
        Examples:
          bin/pscreen2vec bench-kernels
          bin/pscreen2vec bench-kernels --mib 1024 --tf32 --step-models screen2vec-joint,fashion-cnn-local
          bin/pscreen2vec bench-kernels --step-models screen2vec-paper --cpu-steps 0
            (the frozen layout codes: needs .deps/models/layout-ae-paper.bin)
        Writes results/bench-kernels/<job id>/bench-kernels.csv (kind kernel, gemm or step).
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    // every --step-models entry's configuration, read now: a bad entry fails before the kernels
    Map<String, TrainConfig> stepModels = new LinkedHashMap<>();
    String models = STEP_MODELS.get(cl);
    if (!models.equals("none")) {
      for (String m : models.split(",")) {
        stepModels.put(m, stepConfig(m));
      }
    }
    CudaOps gpu;
    try {
      gpu = CudaOps.open(Backends.localRank(0), Backends.TF32.get(cl));
    } catch (NoGpuException e) {
      throw new UsageException("bench-kernels: " + e.getMessage());
    }
    int n = (int) Math.min(Integer.MAX_VALUE - 8, MIB.get(cl) * (1L << 20) / 4);
    int repeats = REPEATS.get(cl);
    int batch = BATCH.get(cl);
    Path dir = ctx.openRunDir("bench-kernels");
    RunRecord rec = new RunRecord(ctx, "bench-kernels", new String[0]);
    rec.put("device", gpu.device()).put("elements", n).put("repeats", repeats)
        .put("batch", batch).put("tf32", gpu.tf32())
        .put("peak_memory_gbps", gpu.peakMemoryGBs()).put("peak_fp32_tflops",
            gpu.peakFp32Tflops());
    rec.write(dir);
    LOG.info(String.format(Locale.ROOT, "%s: peak memory %.0f GB/s, FP32 peak %.1f TFLOP/s; "
        + "%d floats per buffer", gpu.device(), gpu.peakMemoryGBs(), gpu.peakFp32Tflops(), n));
    List<String> rows = new ArrayList<>();
    new KernelBench(gpu, n, repeats, batch, rows).run();
    Csv.write(dir.resolve("bench-kernels.csv"), HEADER, rows);
    gemm(gpu, GEMM_N.get(cl), repeats, rows);
    Csv.write(dir.resolve("bench-kernels.csv"), HEADER, rows);
    int threads = TrainCommand.threads(cl, 1);
    for (Map.Entry<String, TrainConfig> m : stepModels.entrySet()) {
      // the row names the overrides: "screen2vec-paper+layout.mode=none"
      steps(gpu, m.getKey().replace(':', '+'), m.getValue(), STEPS.get(cl),
          CPU_STEPS.get(cl, STEPS.get(cl)), threads, rows);
      Csv.write(dir.resolve("bench-kernels.csv"), HEADER, rows);
    }
    LOG.info("bench-kernels done: {}", dir.resolve("bench-kernels.csv"));
    return ExitCode.OK;
  }

  /** Times ops.gemm on N x N x N, FP32 (or TF32 when asked), against the FP32 peak. */
  private static void gemm(CudaOps gpu, int size, int repeats, List<String> rows) {
    Buf a = KernelBench.random(gpu, size * size, 1);
    Buf b = KernelBench.random(gpu, size * size, 2);
    Buf c = gpu.alloc(size * size);
    double[] us = KernelBench.time(gpu, repeats, 3,
        () -> gpu.gemm(false, false, size, size, size, 1, a, b, 0, c));
    Stats s = Stats.of(us);
    double tflops = 2.0 * size * size * size / (s.median() * 1e-6) / 1e12;
    rows.add(String.format(Locale.ROOT, "gemm,%s,%d,,%.1f,%.1f,%.1f,,,%.2f,%.3f,,,,",
        gpu.tf32() ? "sgemm-tf32" : "sgemm", size, s.median(), s.min(), s.max(), tflops,
        tflops / gpu.peakFp32Tflops()));
    LOG.info(String.format(Locale.ROOT, "gemm %d^3 %s: %.1f us, %.2f TFLOP/s = %.0f%% of the "
        + "FP32 peak", size, gpu.tf32() ? "TF32" : "FP32", s.median(), tflops,
        100 * tflops / gpu.peakFp32Tflops()));
  }

  /**
   * The configuration of a --step-models entry, NAME[:key=value...]: configs/NAME.properties with
   * the overrides. Checked for every entry before the kernels are timed, so that a mistyped
   * entry fails at once rather than after them.
   */
  static TrainConfig stepConfig(String entry) throws java.io.IOException {
    String[] parts = entry.split(":");
    Path file = Tasks.home().resolve("configs").resolve(parts[0] + ".properties");
    if (!Files.isRegularFile(file)) {
      throw new UsageException("--step-models: no " + file);
    }
    List<String> overrides = List.of(parts).subList(1, parts.length);
    for (String o : overrides) {
      if (o.indexOf('=') <= 0) {
        throw new UsageException("--step-models: '" + o + "' in '" + entry
            + "' is not key=value");
      }
    }
    try {
      return TrainConfig.load(file, overrides);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--step-models " + entry + ": " + e.getMessage());
    }
  }

  /** One training step of a configuration on the GPU and on the CPU; the ratio of medians. */
  private static void steps(CudaOps gpu, String name, TrainConfig c, int steps, int cpuSteps,
      int threads, List<String> rows) throws Exception {
    double[] g = StepTimer.medianMs(c, gpu, steps);
    rows.add(String.format(Locale.ROOT, "step,%s-gpu,%d,,%.1f,%.1f,%.1f,,,,,,,,", name,
        c.batch(), g[0] * 1e3, g[1] * 1e3, g[2] * 1e3));
    if (cpuSteps == 0) {
      LOG.info(String.format(Locale.ROOT, "%s step: GPU %.2f ms (min %.2f, max %.2f); no CPU "
          + "baseline (--cpu-steps 0)", name, g[0], g[1], g[2]));
      return;
    }
    // the CPU baseline is ND4J's where it loads; the GPU bundle has no ND4J, so there it is
    // plain Java ("cpu-java"), a slower baseline: the row and the log name which one ran
    CpuOps cpu = new CpuOps(threads);
    double[] h = StepTimer.medianMs(c, cpu, cpuSteps);
    rows.add(String.format(Locale.ROOT, "step,%s-%s-t%d,%d,,%.1f,%.1f,%.1f,,,,,,,,", name,
        cpu.name(), threads, c.batch(), h[0] * 1e3, h[1] * 1e3, h[2] * 1e3));
    LOG.info(String.format(Locale.ROOT, "%s step: GPU %.2f ms (min %.2f, max %.2f), CPU %s %.1f "
        + "ms (%d threads; min %.1f, max %.1f): GPU %.1fx faster", name, g[0], g[1], g[2],
        cpu.name(), h[0], threads, h[1], h[2], h[0] / g[0]));
  }

  /** Median, min and max milliseconds of a training step (no strategy), warm-up excluded. */
  static final class StepTimer {
    private StepTimer() {}

    static double[] medianMs(TrainConfig c, Ops ops, int steps) throws java.io.IOException {
      long staged0 = ops instanceof CudaOps g ? g.stagedBytes() : 0;
      long moved0 = ops instanceof CudaOps g ? g.transferBytes() : 0;
      Task<?> task = Tasks.create(c, ops);
      Trainer trainer = new Trainer(c, task, ops, new NoSync(), 0, 1, null);
      Random rnd = new Random(c.seed());
      int batch = Math.min(c.batch(), task.trainSize());
      double[] ms = new double[steps];
      long t = 0;
      for (int i = 0; i < 2 + steps; i++) {
        int[] items = new int[batch];
        for (int j = 0; j < batch; j++) {
          items[j] = rnd.nextInt(task.trainSize());
        }
        long t0 = System.nanoTime();
        trainer.step(items, ++t);
        Backends.synchronize(ops); // a GPU step is done when its kernels are
        if (i >= 2) {
          ms[i - 2] = (System.nanoTime() - t0) / 1e6;
        }
      }
      if (ops instanceof CudaOps g) {
        // what crosses PCIe per step: the gradients to the host (for the strategy) and back,
        // the touched rows' gradients, and host arrays passed as operands (see docs/GPU.md)
        LOG.info(String.format(Locale.ROOT, "%s on the GPU: %.1f MB per step by upload/download, "
            + "%.1f MB per step of host operands staged, %.0f MB of device memory", c.model(),
            (g.transferBytes() - moved0) / 1e6 / (2 + steps),
            (g.stagedBytes() - staged0) / 1e6 / (2 + steps), g.deviceBytes() / 1e6));
      }
      Stats s = Stats.of(ms);
      return new double[] {s.median(), s.min(), s.max()};
    }
  }
}
