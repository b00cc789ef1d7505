package org.pscreen2vec.sync;

import java.util.List;
import java.util.function.Supplier;
import org.pscreen2vec.collective.Allreduces;
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
 * ring, naive, star, mpj, ps, hybrid. An unknown name, or a rank layout the strategy cannot use,
 * fails at once with a message listing what would work.
 */
public final class Strategies {
  public static final List<String> NAMES = List.of("none", "ring", "naive", "star", "mpj", "ps",
      "hybrid");
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
    return name.equals("ps") || name.equals("hybrid");
  }

  /** Checks the name and the rank layout; the message says what to change. */
  public static void validate(String name, RunContext ctx) {
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException("unknown strategy '" + name + "'; valid: "
          + String.join(", ", NAMES));
    }
    int servers = ctx.roles().servers();
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
