package org.pscreen2vec.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.optim.SparseAdam;

/**
 * The server-work bench drives the real handler through complete BSP rounds (it checks that every
 * pull is answered each step, else it throws) and times each step; more rows cost more.
 */
class ServerWorkTest {
  private static double median(double[] t) {
    double[] s = t.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  @Test
  void everyStepCompletesItsRoundAndRowsCost() {
    var ops = CpuOps.plainJava();
    double[] dense = ServerWork.secondsPerStep(3, 50_000, true, 1000, 16, 0,
        () -> new Adam(ops, 1e-3), () -> new SparseAdam(ops, 1e-2), 1, 5, 7);
    assertEquals(5, dense.length);
    assertTrue(Arrays.stream(dense).allMatch(t -> t > 0 && Double.isFinite(t)),
        Arrays.toString(dense));
    double[] few = ServerWork.secondsPerStep(2, 1, false, 200_000, 64, 20,
        () -> new Adam(ops, 1e-3), () -> new SparseAdam(ops, 1e-2), 3, 7, 7);
    double[] many = ServerWork.secondsPerStep(2, 1, false, 200_000, 64, 4000,
        () -> new Adam(ops, 1e-3), () -> new SparseAdam(ops, 1e-2), 3, 7, 7);
    // 200 times the rows: far more than twice the time, whatever the machine's noise
    assertTrue(median(many) > 2 * median(few), median(few) + " vs " + median(many));
  }
}
