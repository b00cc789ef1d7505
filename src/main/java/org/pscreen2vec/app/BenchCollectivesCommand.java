package org.pscreen2vec.app;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduce.Op;
import org.pscreen2vec.collective.Collective;
import org.pscreen2vec.collective.Harness;
import org.pscreen2vec.collective.Measurement;
import org.pscreen2vec.collective.PointToPoint;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ps.ServerWork;
import org.pscreen2vec.run.Csv;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.run.RunRecord;
import org.pscreen2vec.run.Stats;
import org.pscreen2vec.train.TrainConfig;
import org.pscreen2vec.train.Trainer;

/**
 * Times the allreduce algorithms the way nccl-tests times NCCL ({@link Harness#bench}): sizes
 * from 4 KiB to 256 MiB in steps of 4, warm-up excluded, each iteration's time the slowest
 * rank's, median/min/max over iterations, {@code algbw = bytes / time} and
 * {@code busbw = algbw * 2(p-1)/p}, and every timed buffer checked ({@code wrong}). A
 * point-to-point row (rank 0 sends to rank 1) is the ceiling.
 */
public final class BenchCollectivesCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(BenchCollectivesCommand.class);
  public static final String HEADER = Measurement.CSV_HEADER;

  @Override
  public String name() {
    return "bench-collectives";
  }

  @Override
  public String summary() {
    return "time ring/naive (basic)/star/MPJ allreduce over message sizes (nccl-tests style)";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  private static final long MAX_BYTES_LIMIT = (1L << 31) - 64;
  static final Opt<Long> MIN_BYTES = Opt.count("min-bytes", "B", 4096, 4, MAX_BYTES_LIMIT,
      "smallest message in bytes");
  static final Opt<Long> MAX_BYTES = Opt.count("max-bytes", "B", 256L << 20, 4, MAX_BYTES_LIMIT,
      "largest message in bytes (256 MiB)");
  static final Opt<Integer> FACTOR = Opt.integer("factor", "F", 4, 2, 1024, "size step factor");
  static final Opt<Integer> ITERS = Opt.integer("iters", "N", "enough for ~1 GiB moved, 5..50",
      1, 100_000, "timed iterations per size");
  static final Opt<Integer> WARMUP = Opt.integer("warmup", "N", 2, 0, 1000,
      "untimed iterations first");
  static final Opt<Double> MIN_TIME = Opt.number("min-time-ms", "MS", 0, 0, 600_000,
      "time each size for at least MS ms: more iterations than --iters (at most 200) where the"
      + " last warm-up iteration says they are short (0, or --warmup 0: --iters exactly)");
  static final Opt<Boolean> NO_P2P = Opt.flag("no-p2p", "skip the point-to-point row");
  static final Opt<Boolean> REDUCE_ROW = Opt.flag("reduce-row", "add 'reduce' rows: every rank "
      + "at once sums a buffer into its own (a += b, the allreduces' reduction) without sending;"
      + " on 2+ ranks also rank 0 alone while the others wait (ranks 1: star's root, the levels"
      + " of MPJ's tree); 'project --calibrate' fits the cost model's gamma to them");
  static final Opt<Boolean> SERVER_ROWS = Opt.flag("server-rows", "add 'server-rows' and "
      + "'server-dense' rows: rank 0 times a parameter server's own work per BSP step in process "
      + "(sum, optimizer, pulls; no wire) for this job's rank count as workers, with the local "
      + "Screen2Vec's shapes (1600 rows of 64 per worker; 2.96 M dense floats); 'project "
      + "--calibrate' fits the model's server terms to them");

  @Override
  public Options options() {
    return Opt.options(CollectiveOptions.ALGORITHMS, MIN_BYTES, MAX_BYTES, FACTOR, ITERS, WARMUP,
        MIN_TIME, CollectiveOptions.SEGMENT, NO_P2P, REDUCE_ROW, SERVER_ROWS);
  }

  @Override
  public String helpFooter() {
    return """
        Example: bin/pscreen2vec -np 4 -dev niodev bench-collectives --max-bytes 67108864
        Writes results/collectives/<job id>/collectives.csv (+ run.json) and appends the rows
        to results/collectives/summary.csv. Draw them with 'bin/pscreen2vec plot-collectives'.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    List<String> algorithms = CollectiveOptions.algorithms(cl);
    Harness.Sizes sizes = new Harness.Sizes(MIN_BYTES.get(cl), MAX_BYTES.get(cl),
        FACTOR.get(cl), ITERS.get(cl, 0), WARMUP.get(cl), MIN_TIME.get(cl));
    int segment = CollectiveOptions.segment(cl, ctx);
    if (sizes.maxBytes() < sizes.minBytes()) {
      throw new UsageException("--min-bytes/--max-bytes must satisfy 4 <= min <= max < 2 GiB");
    }
    Path dir = ctx.openRunDir("collectives");
    if (!ctx.isWorker()) {
      return ExitCode.OK;
    }
    Communicator comm = ctx.group();
    if (ctx.isRoot()) {
      new RunRecord(ctx, name(), new String[] {String.join(" ", cl.getArgs())})
          .put("algorithms", algorithms).put("min_bytes", sizes.minBytes())
          .put("max_bytes", sizes.maxBytes()).put("factor", sizes.factor())
          .put("warmup", sizes.warmup()).put("min_time_ms", sizes.minTimeMs())
          .put("segment_floats", segment)
          .put("iters", sizes.iters() == 0 ? "auto" : sizes.iters()).write(dir);
      LOG.info("bench-collectives: {} ranks on {}, sizes {}..{} B x{}, algorithms {}, output {}",
          comm.size(), ctx.device(), sizes.minBytes(), sizes.maxBytes(), sizes.factor(),
          algorithms, dir);
    }
    List<Supplier<Collective>> collectives = new ArrayList<>();
    if (comm.size() >= 2 && !NO_P2P.get(cl)) {
      collectives.add(() -> new PointToPoint(comm));
    }
    if (REDUCE_ROW.get(cl)) {
      collectives.add(() -> new LocalReduction(comm, false));
      if (comm.size() >= 2) {
        collectives.add(() -> new LocalReduction(comm, true));
      }
    }
    collectives.addAll(CollectiveOptions.allreduces(algorithms, comm, segment));
    List<Measurement> rows = new Harness(comm).bench(collectives, sizes,
        m -> LOG.info(m.line()));
    List<Measurement> server = List.of();
    if (SERVER_ROWS.get(cl)) {
      // rank 0 times a server's work in process while the other ranks wait for it: ranks that
      // had left would be shutting their JVMs down on the same cores meanwhile
      if (comm.rank() == 0) {
        server = serverRows(comm.size());
      }
      comm.barrier("server rows timed on rank 0");
    }
    if (comm.rank() == 0) {
      List<Measurement> all = new ArrayList<>(rows);
      all.addAll(server);
      List<String> lines = all.stream()
          .map(m -> m.csv(ctx.device(), 4L * segment, ctx.jobId())).toList();
      Csv.write(dir.resolve("collectives.csv"), HEADER, lines);
      Csv.append(ctx.resultsRoot().resolve("collectives").resolve("summary.csv"), HEADER, lines);
      System.out.println("bench-collectives: " + lines.size() + " rows in "
          + dir.resolve("collectives.csv"));
    }
    return ExitCode.OK;
  }

  /** Server work per step for the local Screen2Vec's shapes (the emulated validation's). */
  static final int SERVER_TABLE_ROWS = 262_144;
  static final int SERVER_DIM = 64;
  static final int SERVER_TOUCHED = 1600;
  static final int SERVER_DENSE_FLOATS = 2_955_580;

  /**
   * A parameter server's own work per step with {@code workers} workers: rows only, then the
   * dense shard only (bytes: what all workers push per step), with the local Screen2Vec's
   * optimizers.
   */
  private static List<Measurement> serverRows(int workers) throws java.io.IOException {
    TrainConfig c = TrainConfig.load(null, List.of("model=screen2vec", "optimizer=adam",
        "sparse.optimizer=adam")); // as configs/screen2vec-local.properties
    Ops ops = CpuOps.plainJava();
    List<Measurement> out = new ArrayList<>();
    for (boolean dense : new boolean[] {false, true}) {
      Stats best = null;
      for (int attempt = 1; attempt <= SERVER_ATTEMPTS; attempt++) {
        double[] s = ServerWork.secondsPerStep(workers, dense ? SERVER_DENSE_FLOATS : 1, dense,
            SERVER_TABLE_ROWS, SERVER_DIM, dense ? 0 : SERVER_TOUCHED,
            () -> Trainer.denseOptimizer(c, ops), () -> Trainer.sparseOptimizer(c, ops), 2,
            SERVER_STEPS, 1);
        Stats st = Stats.of(Arrays.stream(s).map(x -> x * 1e3).toArray());
        if (best == null || st.median() < best.median()) {
          best = st;
        }
        if (!disturbed(st)) {
          break;
        }
        LOG.warn("{} with {} workers looks disturbed (median {} ms, fastest {} ms){}",
            dense ? "server-dense" : "server-rows", workers, String.format(Locale.ROOT, "%.1f",
                st.median()), String.format(Locale.ROOT, "%.1f", st.min()),
            attempt < SERVER_ATTEMPTS ? ": measuring again" : ": keeping the best of "
                + SERVER_ATTEMPTS);
      }
      long bytes = dense ? 4L * workers * SERVER_DENSE_FLOATS
          : (long) workers * SERVER_TOUCHED * (4L * SERVER_DIM + 4);
      Measurement m = new Measurement(dense ? "server-dense" : "server-rows", workers, bytes,
          best, 1, 0, 0);
      LOG.info(m.line());
      out.add(m);
    }
    return out;
  }

  /**
   * Timed steps of a server row: a rows step takes a few milliseconds, so 9 of them (until
   * 2026-12-05) gave medians that differed 2x between calibrations of one rate.
   */
  static final int SERVER_STEPS = 30;

  /** Measurements of a server row at most (one, and again while {@link #disturbed}). */
  static final int SERVER_ATTEMPTS = 3;

  /**
   * A server row is CPU work in one process, with no network, so its iterations should take
   * about the same time; a median more than 1.5x the fastest iteration means something else took
   * the cores for most of them (2026-12-04: a 4-worker server-dense median of 78.6 ms against
   * 12.0 ms fastest made 'project --calibrate' fit a per-worker shard cost 25x the usual one,
   * and ps predictions +56 to +81 %).
   */
  static boolean disturbed(Stats s) {
    return s.median() > 1.5 * s.min();
  }

  /**
   * The local work of a reduction, timed like a collective: every rank adds a buffer of zeros
   * into its own ({@code buf[i] += other[i]}, the loop of the ring's reduce-scatter), all ranks
   * at once, so the time includes what the ranks of one host take from each other. Or
   * ({@code alone}) rank 0 only, timed there, while the other ranks wait, as they wait for
   * star's root: a row of 1 rank. The result is each rank's own input, which the harness checks.
   */
  static final class LocalReduction implements Collective {
    private final int ranks;
    private final boolean alone;
    private final int rank;
    private float[] other = new float[0]; // (count) zeros: the "received" contribution

    LocalReduction(Communicator comm, boolean alone) {
      this.ranks = alone ? 1 : comm.size();
      this.alone = alone;
      this.rank = comm.rank();
    }

    @Override
    public String name() {
      return "reduce";
    }

    @Override
    public int ranks() {
      return ranks;
    }

    @Override
    public boolean timedAtRankZero() {
      return alone;
    }

    @Override
    public double busBwFactor() {
      return 1;
    }

    @Override
    public int[] sources(int rank) {
      return new int[] {rank};
    }

    @Override
    public boolean sameOnEveryRank() {
      return false;
    }

    @Override
    public void run(float[] buf, int count, Op op) {
      if (alone && rank != 0) {
        return;
      }
      if (other.length < count) {
        other = new float[count];
      }
      for (int i = 0; i < count; i++) {
        buf[i] += other[i];
      }
    }
  }
}
