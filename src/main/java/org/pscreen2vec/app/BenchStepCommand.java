package org.pscreen2vec.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.GemmCounters;
import org.pscreen2vec.ops.Ops;
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
 * {@code bench-step}: times one training step of each model (zero gradients, forward, backward,
 * optimizer; no synchronization) at its local and paper configurations: median, min and max
 * after warm-up, samples/s, and the matrix products' achieved GFLOP/s inside the step against
 * the same products run standalone (same shapes, same counts) in the same process.
 */
public final class BenchStepCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(BenchStepCommand.class);
  static final String HEADER = "model,size,batch,threads,steps,median_ms,min_ms,max_ms,"
      + "samples_per_s,compute_ms,optimizer_ms,gemm_ms,gemm_share,gemm_gflops_in_step,"
      + "gemm_gflops_standalone,gemm_gflop_per_step,dense_params,cpu_median_ms,cpu_min_ms,"
      + "cpu_max_ms,gemm_peak_gflops,flop_limit_ms,mean_ms";

  @Override
  public String name() {
    return "bench-step";
  }

  @Override
  public String summary() {
    return "time a training step of each model; GEMM GFLOP/s in the step vs standalone";
  }

  @Override
  public boolean spmd() {
    return false;
  }

  static final Opt<String> MODELS = Opt.text("models", "LIST", null,
      "all: " + String.join(",", TrainConfig.MODELS), "comma-separated models");
  static final Opt<String> SIZES = Opt.text("sizes", "LIST", "local", "local",
      "local, paper or both: configs/<model>-<size>.properties; a missing file is skipped");
  static final Opt<Integer> STEPS = Opt.integer("steps", "N", 10, 1, 100_000, "timed steps");
  static final Opt<Integer> WARMUP = Opt.integer("warmup", "N", 3, 0, 100_000,
      "untimed steps first");
  static final Opt<List<String>> SET = Opt.repeated("set", "KEY=VALUE",
      "override a configuration key of every model (repeatable), e.g. batch=64");

  @Override
  public Options options() {
    return Opt.options(MODELS, SIZES, STEPS, WARMUP, TrainCommand.THREADS, SET, Backends.BACKEND,
        Backends.TF32);
  }

  @Override
  public String helpFooter() {
    return """
        Examples:
          bin/pscreen2vec bench-step
          bin/pscreen2vec bench-step --models screen2vec --sizes local,paper --steps 5
        Writes results/bench-step/<job id>/bench-step.csv and appends to
        results/bench-step/summary.csv.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    List<String> models = Arrays.asList(MODELS.get(cl, String.join(",", TrainConfig.MODELS))
        .split(","));
    for (String m : models) {
      if (!TrainConfig.MODELS.contains(m)) {
        throw new UsageException("--models: '" + m + "' is unknown; valid models: "
            + String.join(", ", TrainConfig.MODELS));
      }
    }
    List<String> sizes = Arrays.asList(SIZES.get(cl).split(","));
    for (String s : sizes) {
      if (!s.equals("local") && !s.equals("paper")) {
        throw new UsageException("--sizes: '" + s + "' is not local or paper");
      }
    }
    int steps = STEPS.get(cl);
    int warmup = WARMUP.get(cl);
    int threads = TrainCommand.threads(cl, 1);
    List<String> sets = SET.get(cl);
    Path dir = ctx.openRunDir("bench-step");
    RunRecord rec = new RunRecord(ctx, "bench-step", new String[0]);
    rec.put("models", String.join(",", models)).put("sizes", String.join(",", sizes))
        .put("steps", steps).put("warmup", warmup).put("blas_threads", threads);
    rec.write(dir);
    Ops ops = Backends.create(cl, 0, threads); // --backend cpu|cuda|auto
    List<String> rows = new ArrayList<>();
    for (String model : models) {
      for (String size : sizes) {
        Path file = Tasks.home().resolve("configs").resolve(model + "-" + size + ".properties");
        if (!Files.isRegularFile(file)) {
          LOG.info("{} {}: no {}, skipped", model, size, file.getFileName());
          continue;
        }
        TrainConfig c = TrainConfig.load(file, sets);
        String row = bench(c, size, ops, steps, warmup, threads);
        rows.add(row);
        Csv.write(dir.resolve("bench-step.csv"), HEADER, rows);
      }
    }
    Csv.append(dir.getParent().resolve("summary.csv"), "job_id," + HEADER,
        rows.stream().map(r -> ctx.jobId() + "," + r).toList());
    LOG.info("bench-step done: {}", dir.resolve("bench-step.csv"));
    return ExitCode.OK;
  }

  /** Times one model; returns its CSV row. */
  static String bench(TrainConfig c, String size, Ops ops, int steps, int warmup, int threads)
      throws java.io.IOException {
    Task<?> task = Tasks.create(c, ops);
    Trainer trainer = new Trainer(c, task, ops, new NoSync(), 0, 1, null);
    Random rnd = new Random(c.seed());
    int batch = Math.min(c.batch(), task.trainSize());
    GemmCounters g = ops.counters();
    long t = 0;
    for (int i = 0; i < warmup; i++) {
      trainer.step(items(rnd, task.trainSize(), batch), ++t);
    }
    g.reset();
    g.recordShapes(true);
    double[] ms = new double[steps];
    double[] cpu = new double[steps]; // the calling thread's CPU time: less disturbed by load
    java.lang.management.ThreadMXBean mx =
        java.lang.management.ManagementFactory.getThreadMXBean();
    double computeMs = 0;
    double optMs = 0;
    for (int i = 0; i < steps; i++) {
      long c0 = mx.getCurrentThreadCpuTime();
      Trainer.StepTimes st = trainer.step(items(rnd, task.trainSize(), batch), ++t);
      cpu[i] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
      ms[i] = st.totalNanos() / 1e6;
      computeMs += st.computeNanos() / 1e6;
      optMs += st.optimizerNanos() / 1e6;
    }
    g.recordShapes(false);
    Stats s = Stats.of(ms);
    Stats sc = Stats.of(cpu);
    double gemmMs = g.nanos() / 1e6 / steps;
    double flopsPerStep = g.flops() / steps;
    double inStep = g.flops() / Math.max(1, g.nanos());
    double standalone = standaloneGflops(ops, g.shapes());
    double peak = peakGflops(ops);
    double limitMs = flopsPerStep / 1e9 / peak * 1e3; // the step's GEMM FLOPs at peak rate
    double meanMs = Arrays.stream(ms).sum() / steps;
    // the mean too: a median can hide a tail that a training run's total time pays
    // (docs/PERFORMANCE.md, "Thread switches")
    LOG.info(String.format(Locale.ROOT, "%-11s %-5s batch %3d: %8.1f ms/step (mean %.1f, min %.1f, "
        + "max %.1f)"
        + ", %8.1f samples/s; GEMM %.1f ms = %.0f%% of the step at %.1f GFLOP/s (standalone "
        + "%.1f GFLOP/s), optimizer %.1f ms, other compute %.1f ms; thread CPU %.2f ms/step "
        + "(min %.2f, max %.2f); peak GEMM %.1f GFLOP/s, FLOP limit %.1f ms (step %.2fx)",
        c.model(), size, batch,
        s.median(), meanMs, s.min(), s.max(), batch / (s.median() / 1e3), gemmMs,
        100 * gemmMs / meanMs, inStep, standalone, optMs / steps,
        computeMs / steps - gemmMs, sc.median(), sc.min(), sc.max(), peak, limitMs,
        s.median() / limitMs));
    return String.format(Locale.ROOT,
        "%s,%s,%d,%d,%d,%.3f,%.3f,%.3f,%.2f,%.3f,%.3f,%.3f,%.4f,%.3f,%.3f,%.4f,%d,%.3f,%.3f,%.3f,"
            + "%.3f,%.3f,%.3f",
        c.model(), size, batch, threads, steps, s.median(), s.min(), s.max(),
        batch / (s.median() / 1e3), computeMs / steps, optMs / steps, gemmMs, gemmMs / meanMs,
        inStep, standalone, flopsPerStep / 1e9, task.model().parameters().size(), sc.median(),
        sc.min(), sc.max(), peak, limitMs, meanMs);
  }

  private static int[] items(Random rnd, int n, int batch) {
    int[] a = new int[batch];
    for (int i = 0; i < batch; i++) {
      a[i] = rnd.nextInt(n);
    }
    return a;
  }

  /**
   * The recorded products again, standalone: each shape as often as it ran in the timed steps,
   * on random operands, back to back; their GFLOP/s.
   */
  static double standaloneGflops(Ops ops, Map<GemmCounters.Shape, Integer> shapes) {
    double flops = 0;
    long nanos = 0;
    List<String> perShape = new ArrayList<>(); // --log-level DEBUG: where the GEMM time goes
    double allFlops = shapes.entrySet().stream()
        .mapToDouble(e -> e.getKey().flops() * e.getValue()).sum();
    // one set of operands as large as the largest shape needs, sliced for every shape: filling
    // new random operands per shape took longer than the whole timed run (paper size: 374
    // shapes, about 10 s of Random.nextFloat)
    int maxA = 0;
    int maxB = 0;
    int maxC = 0;
    for (GemmCounters.Shape sh : shapes.keySet()) {
      maxA = Math.max(maxA, sh.m() * sh.k());
      maxB = Math.max(maxB, sh.k() * sh.n());
      maxC = Math.max(maxC, sh.m() * sh.n());
    }
    Buf as = random(ops, maxA);
    Buf bs = random(ops, maxB);
    Buf cs = ops.alloc(maxC);
    for (Map.Entry<GemmCounters.Shape, Integer> e : shapes.entrySet()) {
      GemmCounters.Shape sh = e.getKey();
      int count = e.getValue();
      Buf a = as.slice(0, sh.m() * sh.k());
      Buf b = bs.slice(0, sh.k() * sh.n());
      Buf c = cs.slice(0, sh.m() * sh.n());
      ops.gemm(sh.transA(), sh.transB(), sh.m(), sh.n(), sh.k(), 1, a, b, 0, c); // warm-up
      Backends.synchronize(ops); // a GPU's products are asynchronous: time until they are done
      long t0 = System.nanoTime();
      for (int i = 0; i < count; i++) {
        ops.gemm(sh.transA(), sh.transB(), sh.m(), sh.n(), sh.k(), 1, a, b, 0, c);
      }
      Backends.synchronize(ops);
      long ns = System.nanoTime() - t0;
      nanos += ns;
      flops += sh.flops() * count;
      perShape.add(String.format(Locale.ROOT, "%9.3f ms  %6.1f GFLOP/s  %5.1f%% of the FLOPs  "
          + "%s%s %d x %d x %d, %d times", ns / 1e6, sh.flops() * count / Math.max(1, ns),
          100 * sh.flops() * count / Math.max(1, allFlops), sh.transA() ? "T" : "N",
          sh.transB() ? "T" : "N", sh.m(), sh.n(), sh.k(), count));
    }
    if (LOG.isDebugEnabled()) {
      perShape.sort(java.util.Comparator.reverseOrder()); // the longest first
      LOG.debug("products standalone, per shape (time of all its calls in the timed steps):\n  "
          + String.join("\n  ", perShape));
    }
    return flops / Math.max(1, nanos);
  }

  /** Side of the square product that measures the backend's peak GEMM rate. */
  static final int PEAK_SIDE = 2048;

  /**
   * The backend's peak GEMM rate: the best of 3 square {@value #PEAK_SIDE}-sided products (8.6
   * G multiply-adds: on the CPU backend above the one-thread limit, so on all the
   * rank's BLAS threads; operand copies included, as in the step), after one untimed product.
   * The step's FLOP limit (issue 15) is its GEMM FLOPs at this rate.
   */
  static double peakGflops(Ops ops) {
    int n = PEAK_SIDE;
    Buf a = random(ops, n * n);
    Buf b = random(ops, n * n);
    Buf c = ops.alloc(n * n);
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      Backends.synchronize(ops);
      long t0 = System.nanoTime();
      ops.gemm(false, false, n, n, n, 1, a, b, 0, c);
      Backends.synchronize(ops);
      if (i > 0) {
        best = Math.min(best, System.nanoTime() - t0);
      }
    }
    return 2.0 * n * n * n / best;
  }

  /** n random values in [-0.5, 0.5), uploaded at once (element-wise sets took most of a run). */
  private static Buf random(Ops ops, int n) {
    float[] v = new float[n];
    Random r = new Random(n);
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    Buf b = ops.alloc(n);
    ops.upload(v, 0, b, 0, n);
    return b;
  }
}
