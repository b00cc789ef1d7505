package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.comm.InProcessRanks;
import org.pscreen2vec.comm.Roles;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.optim.SparseAdam;
import org.pscreen2vec.ps.Consistency;
import org.pscreen2vec.run.RunContext;

/**
 * Every {@link GradientSync} (none, ring, naive, star, ps, hybrid; not mpj, which needs MPJ) built
 * by {@link Strategies} on in-process ranks, training {@link ConvexProblem} as check-sync does:
 * every strategy ends with the parameters ring ends with, and every worker with the same ones.
 *
 * <p>Tolerances: with 2 workers every cross-worker sum has two terms, so the order in which ring,
 * naive, star or a server adds them cannot matter and the comparison is bitwise; with 3 workers
 * the orders differ and, as ParameterServerIT, |x - ring| <= 1e-5 max(|x|, |ring|) + 1e-6. The
 * single worker of {@code none} sees the whole batch at once (its mean rounds differently from
 * a weighted mean of partial means), so it gets the tolerance too.
 */
class StrategiesInProcessTest {
  private static final ConvexProblem PROBLEM = new ConvexProblem(1, 50, 101, 4);
  private static final int STEPS = 6;
  private static final int BATCH = 7; // global batch: does not divide the worker counts
  private static final int SAMPLES = 1000;
  private static final double LR = 0.05;
  private static final double REL = 1e-5;
  private static final double ABS = 1e-6;

  private record Layout(String strategy, int workers, int servers) {}

  @ParameterizedTest(name = "{0} workers")
  @ValueSource(ints = {2, 3})
  void everyStrategyEndsWhereRingEnds(int workers) {
    List<float[]> ring = train(new Layout("ring", workers, 0));
    boolean exact = workers == 2;
    List<Layout> layouts = List.of(new Layout("naive", workers, 0),
        new Layout("star", workers, 0), new Layout("ps", workers, 1),
        new Layout("ps", workers, 2), new Layout("hybrid", workers, 1),
        new Layout("hybrid", workers, 2), new Layout("none", 1, 0));
    for (Layout l : layouts) {
      List<float[]> got = train(l);
      for (int w = 0; w < got.size(); w++) {
        compare(ring.get(0), got.get(w), exact && !l.strategy().equals("none"),
            l + ", worker " + w);
      }
    }
    for (int w = 1; w < workers; w++) {
      assertArrayEquals(ring.get(0), ring.get(w), "ring: worker " + w + " differs from worker 0");
    }
  }

  private static void compare(float[] ring, float[] got, boolean exact, String what) {
    assertEquals(ring.length, got.length, what);
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < ring.length && bad.size() < 5; i++) {
      double tol = exact ? 0 : REL * Math.max(Math.abs(ring[i]), Math.abs(got[i])) + ABS;
      if (!(Math.abs(ring[i] - got[i]) <= tol)) {
        bad.add("[" + i + "] ring " + ring[i] + " vs " + got[i]);
      }
    }
    assertTrue(bad.isEmpty(), what + (exact ? " (bitwise)" : "") + ": " + bad);
    if (!exact) {
      return;
    }
    for (int i = 0; i < ring.length; i++) {
      assertEquals(Float.floatToRawIntBits(ring[i]), Float.floatToRawIntBits(got[i]), what);
    }
  }

  /** Runs a job of this layout; returns every worker's final parameters (dense, then table). */
  private static List<float[]> train(Layout l) {
    Roles roles = new Roles(l.workers() + l.servers(), l.servers());
    Ops ops = CpuOps.plainJava();
    Strategies.PsSetup setup = new Strategies.PsSetup(Consistency.parse("bsp"),
        () -> new Adam(ops, LR), () -> new SparseAdam(ops, LR));
    List<float[]> all = InProcessRanks.call(roles.size(), c -> {
      Roles.Role role = roles.roleOf(c.rank());
      Communicator group = c.split(role.ordinal(), c.rank(), role.label() + "s");
      RunContext ctx = new RunContext(roles, c.rank(), "host", "in-process", "job", c, group,
          Level.WARN, Path.of("results"));
      if (role == Roles.Role.SERVER) {
        Strategies.serve(l.strategy(), ctx, setup, null);
        return null;
      }
      return worker(ctx, l.strategy(), setup, ops);
    });
    return all.subList(0, l.workers());
  }

  /** check-sync's training loop (ConvexTraining); the final dense parameters, then the table. */
  private static float[] worker(RunContext ctx, String strategy, Strategies.PsSetup setup,
      Ops ops) throws InterruptedException {
    ConvexTraining.Result r = ConvexTraining.run(ctx, strategy, setup, PROBLEM, ops,
        new ConvexTraining.Plan(STEPS, BATCH, SAMPLES, 1 << 20, 0, -1));
    float[] out = Arrays.copyOf(r.dense(), r.dense().length + r.table().length);
    System.arraycopy(r.table(), 0, out, r.dense().length, r.table().length);
    return out;
  }
}
