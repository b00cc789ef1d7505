package org.pscreen2vec.ps;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * Times a parameter server's own work per BSP step, in process and without a network: the
 * handler a server runs ({@link ServerState}) takes {@code workers} pushes of the dense shard or
 * of {@code touched} rows each, sums them, applies the optimizer when the round completes, and
 * answers every worker's pull (a copy of the shard or a gather of the rows). This is the work the
 * cost model's server term stands for (docs/NETWORK.md): the wire is not in it, the server's CPU
 * is. Used by {@code bench-collectives --server-rows}.
 */
public final class ServerWork {
  private ServerWork() {}

  /**
   * Seconds of each of {@code steps} timed steps (after {@code warmup}) of one server
   * holding a dense shard of {@code denseFloats} and a table of {@code rows} x {@code dim}, with
   * {@code workers} workers each pushing and pulling {@code touched} distinct random rows (0:
   * none) and, when {@code dense}, the whole shard.
   */
  public static double[] secondsPerStep(int workers, int denseFloats, boolean dense, int rows,
      int dim, int touched, Supplier<DenseOptimizer> denseOptimizer,
      Supplier<SparseOptimizer> sparseOptimizer, int warmup, int steps, long seed) {
    Partition part = new Partition(1, denseFloats);
    ServerState s = new ServerState(0, part, List.of(new TableSpec("t", rows, dim)), workers,
        Consistency.parse("bsp"), CpuOps.plainJava(), denseOptimizer, sparseOptimizer);
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] init = new float[denseFloats];
    for (int i = 0; i < init.length; i++) {
      init[i] = (float) (rnd.nextDouble() - 0.5);
    }
    s.handle(request(Op.INIT_DENSE, -1, 0, 0, null, init), r -> { });
    float[] table = new float[rows * dim];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) (rnd.nextDouble() - 0.5) * 0.1f;
    }
    s.handle(request(Op.INIT_ROWS, 0, 0, 0, null, table), r -> { });
    double[] times = new double[steps];
    for (int step = 0; step < warmup + steps; step++) {
      int[][] ids = new int[workers][];
      float[][] grads = new float[workers][];
      float[][] denseGrads = new float[workers][];
      for (int w = 0; w < workers; w++) { // made before the clock starts: the workers' part
        ids[w] = rnd.ints(0, rows).distinct().limit(touched).sorted().toArray();
        grads[w] = grads(rnd, touched * dim);
        denseGrads[w] = dense ? grads(rnd, denseFloats) : null;
      }
      int[] answered = new int[1];
      Responder out = r -> {
        if (r.error() != null) {
          throw new IllegalStateException("server work bench: the server answered " + r.error());
        }
        answered[0]++;
      };
      long t0 = System.nanoTime();
      for (int w = 0; w < workers; w++) {
        if (dense) {
          s.handle(request(Op.PUSH_DENSE, -1, step, w, null, denseGrads[w]), out);
        }
        if (touched > 0) {
          s.handle(request(Op.PUSH_ROWS, 0, step, w, ids[w], grads[w]), out);
        }
      }
      for (int w = 0; w < workers; w++) {
        if (dense) {
          s.handle(request(Op.PULL_DENSE, -1, step + 1, w, null, null), out);
        }
        if (touched > 0) {
          s.handle(request(Op.PULL_ROWS, 0, step + 1, w, ids[w], null), out);
        }
      }
      if (step >= warmup) {
        times[step - warmup] = (System.nanoTime() - t0) / 1e9;
      }
      int expected = 2 * workers * ((dense ? 1 : 0) + (touched > 0 ? 1 : 0));
      if (answered[0] != expected) { // every pull answered: the round completed each step
        throw new IllegalStateException("server work bench: " + answered[0] + " of " + expected
            + " requests answered in step " + step);
      }
    }
    return times;
  }

  private static float[] grads(SplittableRandom rnd, int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = (float) (rnd.nextDouble() - 0.5) * 1e-3f;
    }
    return g;
  }

  private static ServerRequest request(Op op, int table, int step, int worker, int[] ids,
      float[] values) {
    return new ServerRequest(op, worker, table, step, 1, step, ids, values);
  }
}
