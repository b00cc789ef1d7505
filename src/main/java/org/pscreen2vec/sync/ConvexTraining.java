package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.run.RunContext;

/**
 * One worker training a {@link ConvexProblem} under a strategy, as check-sync runs it on MPJ ranks
 * and the in-process tests run it on threads: each step, this worker's share of the global batch,
 * fetch the rows it reads, mean-loss gradients, synchronize, apply the optimizers the strategy
 * does not apply itself; at the end, pull everything current. Strategies can then be compared
 * parameter by parameter.
 */
public final class ConvexTraining {
  private static final Logger LOG = LogManager.getLogger(ConvexTraining.class);

  /**
   * @param steps    training steps
   * @param batch    global batch, dealt round-robin over the workers
   * @param samples  the problem's samples are 0 .. samples-1, read in order, wrapping around
   * @param segment  allreduce pipeline segment in floats
   * @param slowMs   the last worker sleeps this long after every step (0: never)
   * @param kill     this worker vanishes at step 2 without a word (fault injection); -1: none
   */
  public record Plan(int steps, int batch, int samples, int segment, int slowMs, int kill) {}

  /**
   * What a worker ends with: its dense parameters and table, and (ps/hybrid, worker 0) the
   * servers' load figures; {@code vanished} when the fault injection made it leave.
   */
  public record Result(float[] dense, float[] table, List<float[]> serverLoads,
      boolean vanished) {}

  private ConvexTraining() {}

  public static Result run(RunContext ctx, String strategy, Strategies.PsSetup setup,
      ConvexProblem p, Ops ops, Plan plan) throws InterruptedException {
    int workers = ctx.roles().workers();
    int me = ctx.group().rank();
    float[] w = p.initialDense(); // (dense)
    float[] grads = new float[p.dense]; // (dense)
    EmbeddingTable et = p.table(ops);
    et.valuesToHost();
    float[] table = et.hostValues(); // (rows, dim) the host side the gradients are computed on
    DenseOptimizer denseOpt = setup.denseOptimizer().get();
    denseOpt.initialise(p.dense);
    SparseOptimizer sparseOpt = setup.sparseOptimizer().get();
    sparseOpt.initialise(p.rows, p.dim);
    DenseGradients dg = new DenseGradients(grads, w, p.dense);
    GradientSync sync = Strategies.worker(strategy, ctx, setup, plan.segment(), dg,
        List.of(et));
    et.valuesFromHost(); // worker 0's table, where the strategy broadcast it
    boolean vanished = false;
    try {
      for (int step = 0; step < plan.steps(); step++) {
        if (step == 2 && me == plan.kill()) {
          LOG.warn("worker {} vanishes now (fault injection --kill-worker)", me);
          vanished = true;
          return new Result(w, table, List.of(), true);
        }
        List<Integer> mine = new ArrayList<>();
        for (int j = me; j < plan.batch(); j += workers) {
          mine.add((step * plan.batch() + j) % plan.samples());
        }
        int[] ids = rowsOf(p, mine);
        sync.fetch(new RowRequest(new int[][] {ids}));
        float[] rowGrads = gradients(p, mine, w, table, grads, ids);
        List<SparseGradients> out = sync.synchronize(dg, List.of(new SparseGradients("E",
            p.rows, p.dim, ids, rowGrads, ids.length, table)), mine.size());
        if (!sync.appliesDenseUpdate()) {
          denseOpt.step(new FloatBuf(w), new FloatBuf(grads));
        }
        SparseGradients s = out.get(0);
        if (!sync.appliesSparseUpdate() && s.count() > 0) {
          int[] touched = Arrays.copyOf(s.ids(), s.count());
          sparseOpt.step(et.values(), et.dim(), touched,
              new FloatBuf(s.rows(), 0, s.count() * p.dim), step + 1L);
          Arrays.sort(touched);
          et.rowsToHost(touched, touched.length); // the updated rows back to the host side
        }
        if (plan.slowMs() > 0 && me == workers - 1) {
          Thread.sleep(plan.slowMs());
        }
      }
      sync.pullAll();
    } finally {
      if (!vanished) {
        sync.close(); // ps/hybrid: tells the servers this worker is done; a vanished one does not
      }
    }
    return new Result(w, table, sync instanceof PsSync ps ? ps.serverLoads() : List.of(), false);
  }

  /** The distinct table rows these samples read, ascending. */
  private static int[] rowsOf(ConvexProblem p, List<Integer> samples) {
    TreeSet<Integer> needed = new TreeSet<>();
    for (int s : samples) {
      for (int id : p.ids(s)) {
        needed.add(id);
      }
    }
    return needed.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Mean-loss gradients of these samples: dense into grads, rows returned (ids order). */
  private static float[] gradients(ConvexProblem p, List<Integer> samples, float[] w,
      float[] table, float[] grads, int[] ids) {
    Arrays.fill(grads, 0f);
    float[] rows = new float[ids.length * p.dim]; // (ids, dim)
    if (samples.isEmpty()) {
      return rows;
    }
    float inv = 1f / samples.size();
    for (int s : samples) {
      float r = (p.predict(s, w, table) - p.y(s)) * inv;
      for (int j = 0; j < p.dense; j++) {
        grads[j] += r * p.x(s, j);
      }
      for (int id : p.ids(s)) {
        int k = Arrays.binarySearch(ids, id);
        for (int c = 0; c < p.dim; c++) {
          rows[k * p.dim + c] += r;
        }
      }
    }
    return rows;
  }
}
