package org.pscreen2vec.sync;

import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.cost.AutoChoice;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
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
 * ({@link AutoChoice}): without servers it is ring; with servers ps or hybrid. The network is the
 * calibration in {@code PSCREEN2VEC_CALIBRATION} (a file from 'project --calibrate'), else the
 * emulated link the launcher set up, else 10 GbE; the rows a worker touches per step are
 * {@code PSCREEN2VEC_TOUCHED_ROWS} (a run's measured {@code touched_rows}), else 1600 per table
 * (the median measured for Screen2Vec in the local study). Rank 0 logs the choice and why.
 */
public final class Strategies {
  public static final List<String> NAMES = List.of("none", "ring", "naive", "star", "mpj", "ps",
      "hybrid", "auto");
  private static final Logger LOG = LogManager.getLogger(Strategies.class);
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
    validate(name, ctx);
    if (name.equals("auto")) {
      name = auto(ctx, segmentFloats, params, tables);
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
      List<EmbeddingTable> tables) {
    Network net = autoNetwork();
    double touched = autoTouchedRows();
    List<AutoChoice.Table> ts = new ArrayList<>();
    for (EmbeddingTable t : tables) {
      double rowBytes = 4.0 * t.dim() + 4; // values and the row id
      ts.add(new AutoChoice.Table(t.name(), 4.0 * t.rows() * t.dim(),
          Math.min(touched, t.rows()) * rowBytes));
    }
    AutoChoice.Decision d = AutoChoice.choose(4.0 * params.length(), ts, ctx.roles().workers(),
        ctx.roles().servers(), net, 4.0 * segmentFloats);
    if (ctx.rank() == 0) {
      LOG.info("strategy auto -> {} on {} worker(s), {} server(s), network {}, {} touched rows "
          + "per table and step{}", d.strategy(), ctx.roles().workers(), ctx.roles().servers(),
          net.describe(), (long) touched, System.getenv("PSCREEN2VEC_TOUCHED_ROWS") == null
              ? " (assumed: set PSCREEN2VEC_TOUCHED_ROWS from a run's touched_rows)" : "");
      d.reasons().forEach(r -> LOG.info("strategy auto: {}", r));
    }
    return d.strategy();
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

  private static double autoTouchedRows() {
    String v = System.getenv("PSCREEN2VEC_TOUCHED_ROWS");
    if (v == null || v.isBlank()) {
      return 1600;
    }
    try {
      double d = Double.parseDouble(v.trim());
      if (d >= 0 && d < 1e12) {
        return d;
      }
    } catch (NumberFormatException e) {
      // fall through
    }
    throw new IllegalArgumentException("PSCREEN2VEC_TOUCHED_ROWS must be a row count >= 0, got '"
        + v + "'");
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
