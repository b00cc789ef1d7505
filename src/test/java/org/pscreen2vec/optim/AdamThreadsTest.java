package org.pscreen2vec.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The dense Adam update split over a rank's threads (issue 15) gives bitwise the one-thread
 * result, on sizes below and above the split threshold and not divisible by the thread count,
 * and follows a double-precision reference.
 */
class AdamThreadsTest {
  private static float[] run(Ops ops, int n, int steps) {
    Random r = new Random(n);
    Buf p = ops.alloc(n);
    Buf g = ops.alloc(n);
    for (int i = 0; i < n; i++) {
      p.set(i, r.nextGaussian());
    }
    Adam adam = new Adam(ops, 0.01);
    adam.initialise(n);
    for (int s = 0; s < steps; s++) {
      for (int i = 0; i < n; i++) {
        g.set(i, r.nextGaussian() * (i % 7 == 0 ? 1e-6 : 1)); // some tiny gradients (eps matters)
      }
      adam.step(p, g);
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) p.get(i);
    }
    return out;
  }

  @Test
  void everyThreadCountGivesTheOneThreadResultBitwise() {
    for (int n : new int[] {1, 1000, 65_536, 300_007}) {
      float[] one = run(CpuOps.plainJava(), n, 3);
      for (int threads : new int[] {2, 3, 8}) {
        float[] many = run(new CpuOps(threads), n, 3);
        assertArrayEquals(one, many, "n " + n + ", " + threads + " threads");
      }
    }
  }

  @Test
  void followsTheDoubleReference() {
    int n = 200_003;
    float[] f = run(new CpuOps(3), n, 4);
    Buf ref = refRun(n);
    for (int i = 0; i < n; i++) {
      // 4 steps of at most lr 0.01 each in float: a few float ulps of the parameter
      assertEquals(ref.get(i), f[i], 1e-5 * Math.max(1, Math.abs(ref.get(i))), "element " + i);
    }
  }

  private static Buf refRun(int n) {
    Ops ops = new ReferenceOps();
    Random r = new Random(n);
    Buf p = ops.alloc(n);
    Buf g = ops.alloc(n);
    for (int i = 0; i < n; i++) {
      p.set(i, (float) r.nextGaussian()); // the float start values
    }
    Adam adam = new Adam(ops, 0.01);
    adam.initialise(n);
    for (int s = 0; s < 4; s++) {
      for (int i = 0; i < n; i++) {
        g.set(i, (float) (r.nextGaussian() * (i % 7 == 0 ? 1e-6 : 1)));
      }
      adam.step(p, g);
    }
    return p;
  }
}
