package org.pscreen2vec.app;

import java.io.DataOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.collective.Allreduces;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adagrad;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.optim.Sgd;
import org.pscreen2vec.optim.SparseAdam;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.ps.MalformedRequests;
import org.pscreen2vec.ps.ServerState;
import org.pscreen2vec.ps.TableSpec;
import org.pscreen2vec.run.AtomicFiles;
import org.pscreen2vec.run.RunContext;
import org.pscreen2vec.sync.ConvexProblem;
import org.pscreen2vec.sync.ConvexTraining;
import org.pscreen2vec.sync.GradientSync;
import org.pscreen2vec.sync.PsSync;
import org.pscreen2vec.sync.Strategies;

/**
 * Trains {@link ConvexProblem} for a few steps under a strategy and writes the final parameters,
 * so runs under different strategies can be compared exactly (ps with bsp must equal ring). Server
 * ranks check that rows nobody touched kept their values and optimizer state; worker 0 checks
 * that SSP's staleness bound held.
 */
public final class CheckSyncCommand implements Subcommand {
  private static final Logger LOG = LogManager.getLogger(CheckSyncCommand.class);
  static final int SAMPLES = 1000;

  @Override
  public String name() {
    return "check-sync";
  }

  @Override
  public String summary() {
    return "train a small convex problem under a strategy; compare strategies exactly";
  }

  @Override
  public boolean spmd() {
    return true;
  }

  static final Opt<String> STRATEGY = Opt.text("strategy", "NAME", "ring", "ring",
      "one of " + String.join(", ", Strategies.NAMES));
  static final Opt<String> CONSISTENCY = Opt.text("consistency", "MODE", "bsp", "bsp",
      "bsp, asp or ssp:<bound> for ps/hybrid");
  static final Opt<Integer> STEPS = Opt.integer("steps", "K", 20, 0, 1_000_000,
      "training steps");
  static final Opt<Integer> BATCH = Opt.integer("batch", "B", 7, 1, SAMPLES,
      "global batch, split over workers");
  static final Opt<Integer> DENSE = Opt.integer("dense", "D", 50, 1, 1 << 24,
      "dense parameters");
  static final Opt<Integer> ROWS = Opt.integer("rows", "R", 101, 6, 1 << 24,
      "table rows; odd rows are never touched");
  static final Opt<Integer> DIM = Opt.integer("dim", "D", 4, 1, 4096, "table row width");
  static final Opt<Double> LR = Opt.number("lr", "LR", 0.05, 1e-9, 10, "learning rate");
  static final Opt<String> OPTIMIZER = Opt.choice("optimizer", "NAME", "adam",
      List.of("adam", "sgd"), "adam: dense Adam + sparse lazy Adam; sgd: momentum SGD + Adagrad");
  static final Opt<Integer> SLOW_WORKER_MS = Opt.integer("slow-worker-ms", "MS", 0, 0, 60_000,
      "the last worker sleeps this long every step (makes staleness happen under asp/ssp)");
  static final Opt<Integer> SEED = Opt.integer("seed", "S", 1, 0, Integer.MAX_VALUE,
      "problem seed");
  static final Opt<Integer> KILL_WORKER = Opt.integer("kill-worker", "W", "none", 0,
      Integer.MAX_VALUE, "fault injection: worker W vanishes at step 2 without a word; the "
          + "servers and other workers must fail naming what is missing, not hang");
  static final Opt<Boolean> MALFORMED = Opt.flag("malformed", "worker 0 sends the servers "
      + "malformed and oversized requests instead of training and checks each is rejected "
      + "(needs --strategy ps, --consistency asp and 2+ workers)");

  @Override
  public Options options() {
    return Opt.options(STRATEGY, CONSISTENCY, STEPS, BATCH, DENSE, ROWS, DIM, LR, OPTIMIZER,
        SLOW_WORKER_MS, SEED, KILL_WORKER, MALFORMED);
  }

  @Override
  public String helpFooter() {
    return """
        Example: bin/pscreen2vec -np 4 check-sync --strategy ps --servers 2
        Writes final.f32 (dense then table, little-endian floats) into results/check-sync/<job>/.
        """;
  }

  @Override
  public int run(CommandLine cl, RunContext ctx) throws Exception {
    String strategy = STRATEGY.get(cl);
    Consistency consistency;
    try {
      consistency = Consistency.parse(CONSISTENCY.get(cl));
      Strategies.validate(strategy, ctx);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    int steps = STEPS.get(cl);
    int batch = BATCH.get(cl);
    int dense = DENSE.get(cl);
    int rows = ROWS.get(cl);
    int dim = DIM.get(cl);
    double lr = LR.get(cl);
    int slowMs = SLOW_WORKER_MS.get(cl);
    String optimizer = OPTIMIZER.get(cl);
    long seed = SEED.get(cl);
    ConvexProblem problem = new ConvexProblem(seed, dense, rows, dim);
    Ops ops = CpuOps.plainJava();
    boolean adam = optimizer.equals("adam");
    Strategies.PsSetup setup = new Strategies.PsSetup(consistency,
        () -> adam ? new Adam(ops, lr) : new Sgd(ops, lr, 0.9),
        () -> adam ? new SparseAdam(ops, lr) : new Adagrad(ops, lr, 1e-8));
    Path dir = ctx.openRunDir("check-sync");
    if (!ctx.isWorker()) {
      ServerState state = Strategies.serve(strategy, ctx, setup, null);
      if (state == null) { // auto chose allreduce for every block: this server was not used
        LOG.info("server rank {} was not used (strategy auto chose allreduce): nothing to check",
            ctx.rank());
        return 0;
      }
      return checkUntouched(state, problem, setup);
    }
    if (MALFORMED.get(cl)) {
      if (!strategy.equals("ps") || consistency.mode() != Consistency.Mode.ASP
          || ctx.roles().workers() < 2) {
        throw new UsageException("--malformed needs --strategy ps --consistency asp and at least "
            + "2 workers (worker 0 stops training after its bad requests)");
      }
      if (ctx.rank() == 0) {
        return malformed(ctx, setup, problem);
      }
    }
    int kill = KILL_WORKER.get(cl, -1);
    if (kill >= ctx.roles().workers()) {
      throw new UsageException("--kill-worker " + kill + " is out of range: use 0.."
          + (ctx.roles().workers() - 1));
    }
    return train(ctx, strategy, setup, problem, steps, batch, slowMs, ops, consistency, dir,
        kill);
  }

  private static int malformed(RunContext ctx, Strategies.PsSetup setup, ConvexProblem problem) {
    float[] w = problem.initialDense();
    EmbeddingTable et = problem.table(CpuOps.plainJava());
    et.valuesToHost();
    float[] table = et.hostValues(); // read only: what the servers must hold
    try (GradientSync sync = Strategies.worker("ps", ctx, setup, 1 << 18,
        new DenseGradients(new float[w.length], w, w.length), List.of(et))) {
      PsSync ps = (PsSync) sync;
      List<String> failures = MalformedRequests.run(ps.client(), ctx.rank(),
          new TableSpec("E", problem.rows, problem.dim), ctx.roles().servers(), table);
      failures.forEach(f -> LOG.error("malformed request check: {}", f));
      System.out.println(failures.isEmpty()
          ? "check-sync: malformed and oversized requests were all rejected with errors naming "
              + "the problem; the server kept serving"
          : "check-sync: " + failures.size() + " malformed-request checks FAILED (see log)");
      return failures.isEmpty() ? ExitCode.OK : ExitCode.FAILED;
    }
  }

  private int train(RunContext ctx, String strategy, Strategies.PsSetup setup,
      ConvexProblem problem, int steps, int batch, int slowMs, Ops ops, Consistency consistency,
      Path dir, int kill) throws Exception {
    double loss0 = problem.loss(SAMPLES, problem.initialDense(), problem.initialTable());
    ConvexTraining.Result r = ConvexTraining.run(ctx, strategy, setup, problem, ops,
        new ConvexTraining.Plan(steps, batch, SAMPLES, Allreduces.defaultSegmentFloats(
            ctx.device()), slowMs, kill));
    if (r.vanished()) {
      return ExitCode.VANISH;
    }
    if (ctx.isRoot()) {
      return report(ctx, strategy, consistency, problem, r.dense(), r.table(), loss0, steps,
          r.serverLoads(), dir);
    }
    return ExitCode.OK;
  }

  private static int report(RunContext ctx, String strategy, Consistency consistency,
      ConvexProblem problem, float[] w, float[] table, double loss0, int steps,
      List<float[]> loads, Path dir) throws Exception {
    double loss = problem.loss(SAMPLES, w, table);
    AtomicFiles.write(dir.resolve("final.f32"), o -> {
      DataOutputStream d = new DataOutputStream(o);
      for (float f : w) {
        d.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(f)));
      }
      for (float f : table) {
        d.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(f)));
      }
      d.flush();
    });
    int maxStale = 0;
    for (float[] l : loads) {
      maxStale = Math.max(maxStale, (int) l[6]);
    }
    String line = String.format(Locale.ROOT, "check-sync: strategy %s%s, %d workers, %d servers,"
        + " %d steps, loss %.6f -> %.6f%s, parameters in %s", strategy,
        Strategies.usesServers(strategy) ? " (" + consistency + ")" : "",
        ctx.roles().workers(), ctx.roles().servers(), steps, loss0, loss,
        loads.isEmpty() ? "" : ", max staleness " + maxStale, dir.resolve("final.f32"));
    System.out.println(line);
    if (consistency.mode() == Consistency.Mode.SSP && maxStale > consistency.staleness()) {
      LOG.error("SSP bound {} exceeded: a pull was served {} steps ahead of the slowest worker",
          consistency.staleness(), maxStale);
      return ExitCode.FAILED;
    }
    return ExitCode.OK;
  }

  /** On a server: rows nobody touched (odd ids) kept their initial values and optimizer state. */
  private static int checkUntouched(ServerState state, ConvexProblem problem,
      Strategies.PsSetup setup) {
    EmbeddingTable t = state.localTable(0);
    if (t == null) {
      return ExitCode.OK;
    }
    t.valuesToHost();
    float[] values = t.hostValues();
    float[] init = problem.initialTable();
    SparseOptimizer fresh = setup.sparseOptimizer().get();
    fresh.initialise(t.rows(), t.dim());
    Map<String, Buf> now = state.sparseState(0);
    Map<String, Buf> before = fresh.state();
    int checked = 0;
    int bad = 0;
    int dim = problem.dim;
    for (int l = 0; l < t.rows(); l++) {
      int g = state.partition().global(state.serverIndex(), l);
      if (g % 2 == 0) {
        continue;
      }
      checked++;
      boolean ok = true;
      for (int c = 0; c < dim; c++) {
        ok &= values[l * dim + c] == init[g * dim + c];
        for (var e : now.entrySet()) {
          ok &= e.getValue().get(l * dim + c) == before.get(e.getKey()).get(l * dim + c);
        }
      }
      if (!ok && bad++ < 3) {
        LOG.error("row {} was never pushed but its value or optimizer state changed", g);
      }
    }
    LOG.info("server {}: {} untouched rows checked, {} changed", state.serverIndex(), checked, bad);
    return bad == 0 ? ExitCode.OK : ExitCode.FAILED;
  }
}
