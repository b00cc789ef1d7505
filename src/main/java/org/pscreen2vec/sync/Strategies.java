package org.pscreen2vec.sync;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.cost.AutoChoice;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.ps.ParameterServer;
import org.pscreen2vec.ps.Partition;
import org.pscreen2vec.ps.ServerState;
import org.pscreen2vec.run.RunContext;

/**
 * Builds the synchronization strategy of a worker, or runs a parameter server, by name: none,
 * ring, naive, star, mpj, ps, hybrid, auto. An unknown name, or a rank layout the strategy cannot
 * use, fails at once with a message listing what would work.
 *
 * <p>{@code auto} picks, per parameter block, allreduce or the servers with the cost model
 * ({@link AutoChoice}): ring, ps or hybrid; when it is ring in a job with server ranks, worker 0
 * tells each server it is not used ({@link ParameterServer#tellNotUsed}) and they end at once. The
 * network is the calibration in {@code PSCREEN2VEC_CALIBRATION} (a file from 'project
 * --calibrate'), else the emulated link the launcher set up, else 10 GbE. The rows a worker
 * touches per step are measured at start-up: the distinct rows of each table in this worker's first
 * {@value #PROBE_BATCHES} batches (what the servers would move), averaged over every worker with
 * one small allreduce so that all workers decide alike; {@code PSCREEN2VEC_TOUCHED_ROWS}
 * overrides the measurement. Rank 0 logs the numbers it used, the choice and why.
 */
public final class Strategies {
  public static final List<String> NAMES = List.of("none", "ring", "naive", "star", "mpj", "ps",
      "hybrid", "auto");
  private static final Logger LOG = LogManager.getLogger(Strategies.class);
  /** Batches per worker {@code auto} counts the touched rows of at start-up. */
  public static final int PROBE_BATCHES = 4;
  /** Largest payload a server accepts in one message (floats): 256 MiB. */
  public static final long MAX_PAYLOAD_FLOATS = 1L << 26;

  private Strategies() {}

  /**
   * What parameter servers need besides the model's shape (which worker 0 sends at SETUP): the
   * consistency mode and the optimizers (the same ones the workers would use).
   */
  public record PsSetup(Consistency consistency, Supplier<DenseOptimizer> denseOptimizer,
      Supplier<SparseOptimizer> sparseOptimizer) {}

  public static boolean usesServers(String name) {
    return name.equals("ps") || name.equals("hybrid") || name.equals("auto");
  }

  /** Checks the name and the rank layout; the message says what to change. */
  public static void validate(String name, RunContext ctx) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown strategy '" + name + "'; valid: "
          + String.join(", ", NAMES));
    }
    int servers = ctx.roles().servers();
    if (name.equals("auto")) {
      return; // ring without servers, ps or hybrid with them
    }
    if (usesServers(name) && servers == 0) {
      throw new IllegalArgumentException("strategy '" + name + "' needs parameter-server ranks: "
          + "add --servers S (and S more ranks to -np)");
    }
    if (!usesServers(name) && servers > 0) {
      throw new IllegalArgumentException("strategy '" + name + "' uses no parameter servers, but "
          + "--servers " + servers + " was given");
    }
    if (name.equals("none") && ctx.roles().workers() != 1) {
      throw new IllegalArgumentException("strategy 'none' trains on exactly one worker, but the "
          + "job has " + ctx.roles().workers() + "; use -np 1 or another strategy");
    }
  }

  /**
   * The strategy of this worker, built around the finished model (as DDP wraps a model): it
   * receives the dense parameters and the tables, and makes every worker start from worker 0's
   * values (allreduce: a broadcast; parameter servers: worker 0 pushes them).
   */
  public static GradientSync worker(String name, RunContext ctx, PsSetup ps, int segmentFloats,
      DenseGradients params, List<EmbeddingTable> tables) {
    return worker(name, ctx, ps, segmentFloats, params, tables, null);
  }

  /**
   * {@link #worker(String, RunContext, PsSetup, int, DenseGradients, List)} where {@code auto}
   * can measure sparsity: {@code firstBatches} gives the rows each of this worker's first
   * {@value #PROBE_BATCHES} batches reads (asked for only under {@code auto}; null: not known).
   */
  public static GradientSync worker(String name, RunContext ctx, PsSetup ps, int segmentFloats,
      DenseGradients params, List<EmbeddingTable> tables,
      Supplier<List<RowRequest>> firstBatches) {
    validate(name, ctx);
    if (name.equals("auto")) {
      name = auto(ctx, segmentFloats, params, tables, firstBatches);
      if (!usesServers(name) && ctx.roles().servers() > 0 && ctx.rank() == 0) {
        ParameterServer.tellNotUsed(ctx.world(), ctx.roles());
      }
    }
    if (name.equals("none")) {
      return new NoSync();
    }
    if (!usesServers(name)) {
      return new AllreduceSync(Allreduces.create(name, ctx.group(), segmentFloats), ctx.group(),
          true, params, tables);
    }
    AllreduceSync denseSync = name.equals("hybrid")
        ? new AllreduceSync(Allreduces.create("ring", ctx.group(), segmentFloats), ctx.group(),
            false, params, tables)
        : null;
    return new PsSync(ctx.world(), ctx.roles(), ctx.rank() == 0, denseSync, params, tables);
  }

  /** The strategy auto stands for on this job (the same on every worker), logged on rank 0. */
  static String auto(RunContext ctx, int segmentFloats, DenseGradients params,
      List<EmbeddingTable> tables, Supplier<List<RowRequest>> firstBatches) {
    Network net = autoNetwork();
    Touched touched = touchedRows(ctx, segmentFloats, tables, firstBatches);
    List<AutoChoice.Table> ts = new ArrayList<>();
    for (int t = 0; t < tables.size(); t++) {
      EmbeddingTable table = tables.get(t);
      double rowBytes = 4.0 * table.dim() + 4; // values and the row id
      ts.add(new AutoChoice.Table(table.name(), 4.0 * table.rows() * table.dim(),
          Math.min(touched.perTable()[t], table.rows()) * rowBytes));
    }
    AutoChoice.Decision d = AutoChoice.choose(4.0 * params.length(), ts, ctx.roles().workers(),
        ctx.roles().servers(), net, 4.0 * segmentFloats);
    if (ctx.rank() == 0) {
      LOG.info("strategy auto -> {} on {} worker(s), {} server(s), network {}", d.strategy(),
          ctx.roles().workers(), ctx.roles().servers(), net.describe());
      if (!tables.isEmpty()) {
        LOG.info("strategy auto: touched rows per step {}", touched.how());
      }
      d.reasons().forEach(r -> LOG.info("strategy auto: {}", r));
    }
    return d.strategy();
  }

  /** Rows per table a worker touches per step, and how they were found (for the log). */
  record Touched(double[] perTable, String how) {}

  /**
   * The touched rows per table and step: {@code PSCREEN2VEC_TOUCHED_ROWS} when set; else the
   * mean distinct rows of the first batches, averaged over all workers (a collective: every
   * worker calls it); else, with nothing to measure from, 1600 (an assumption, said so).
   */
  static Touched touchedRows(RunContext ctx, int segmentFloats, List<EmbeddingTable> tables,
      Supplier<List<RowRequest>> firstBatches) {
    double[] per = new double[tables.size()];
    String env = System.getenv("PSCREEN2VEC_TOUCHED_ROWS");
    if (env != null && !env.isBlank()) {
      Arrays.fill(per, parseTouchedRows(env));
      return new Touched(per, "per table: " + env.trim() + " (PSCREEN2VEC_TOUCHED_ROWS)");
    }
    if (firstBatches == null || tables.isEmpty()) {
      Arrays.fill(per, 1600);
      return new Touched(per, "per table: 1600 (assumed: nothing to measure from; set "
          + "PSCREEN2VEC_TOUCHED_ROWS from a run's touched_rows)");
    }
    // (tables + 1): this worker's sum of distinct rows over its probe batches per table, then
    // the number of batches; summed over the workers
    float[] sums = new float[tables.size() + 1];
    for (RowRequest rows : firstBatches.get()) {
      for (int t = 0; t < tables.size(); t++) {
        sums[t] += rows.ids(t).length;
      }
      sums[tables.size()]++;
    }
    float[] mine = sums.clone();
    if (ctx.roles().workers() > 1) {
      Allreduces.create("ring", ctx.group(), segmentFloats).allreduce(sums, 0, sums.length,
          Allreduce.Op.SUM);
    }
    double batches = Math.max(1, sums[tables.size()]);
    StringBuilder how = new StringBuilder();
    for (int t = 0; t < tables.size(); t++) {
      per[t] = sums[t] / batches;
      how.append(String.format(Locale.ROOT, "%stable %s: %.0f distinct rows of %d (measured: "
          + "mean over %.0f batches of %d worker(s); worker 0's own %.0f)", t == 0 ? "" : "; ",
          tables.get(t).name(), per[t], tables.get(t).rows(), batches, ctx.roles().workers(),
          mine[t] / Math.max(1, mine[tables.size()])));
    }
    return new Touched(per, how.toString());
  }

  private static Network autoNetwork() {
    String cal = System.getenv("PSCREEN2VEC_CALIBRATION");
    if (cal != null && !cal.isBlank()) {
      try {
        return Calibration.read(Paths.get(cal));
      } catch (IOException e) {
        throw new IllegalArgumentException("PSCREEN2VEC_CALIBRATION=" + cal + ": cannot read it ("
            + e.getMessage() + ")");
      }
    }
    String emu = System.getProperty("pscreen2vec.emulate", "");
    if (!emu.isEmpty()) { // bits per second, latency in us (set by bin/pscreen2vec -emulate)
      String[] f = emu.split(",");
      double bps = Double.parseDouble(f[0]);
      double lat = f.length > 1 ? Double.parseDouble(f[1]) * 1e-6 : 0;
      return new Network("emulated " + emu, Math.max(lat, 50e-6), 8 / (bps * 1448.0 / 1538.0),
          Double.POSITIVE_INFINITY, "the emulated link (-emulate)");
    }
    return Network.named("10gbe");
  }

  private static double parseTouchedRows(String v) {
    try {
      double d = Double.parseDouble(v.trim());
      if (d >= 0 && d < 1e12) {
        return d;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("PSCREEN2VEC_TOUCHED_ROWS must be a row count >= 0, got '"
        + v + "'; unset it to measure the rows at start-up");
  }

  /** Runs this rank as a parameter server until every worker is done; returns its state. */
  public static ServerState serve(String name, RunContext ctx, PsSetup ps,
      ParameterServer.ServerLoad[] loadOut) {
    validate(name, ctx);
    int server = ctx.rank() - ctx.roles().workers();
    ParameterServer srv = new ParameterServer(ctx.world(), ctx.roles(),
        (dense, tables) -> new ServerState(server, new Partition(ctx.roles().servers(), dense),
            tables, ctx.roles().workers(), ps.consistency(), CpuOps.plainJava(),
            ps.denseOptimizer(), ps.sparseOptimizer()),
        MAX_PAYLOAD_FLOATS);
    ParameterServer.ServerLoad load = srv.serve();
    if (loadOut != null && loadOut.length > 0) {
      loadOut[0] = load;
    }
    return srv.state();
  }
}
