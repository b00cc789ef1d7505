package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The float CPU backend (ND4J GEMM and fast paths) against the double-precision reference. */
class CpuOpsTest {
  private static CpuOps cpu;
  private final JavaOps ref = JavaOps.doubles();
  private final Random rnd = new Random(3);

  @BeforeAll
  static void start() {
    cpu = new CpuOps(1);
  }

  private Buf[] pair(int n) {
    Buf f = cpu.alloc(n);
    Buf d = ref.alloc(n);
    for (int i = 0; i < n; i++) {
      double v = rnd.nextGaussian();
      f.set(i, v);
      d.set(i, (float) v);
    }
    return new Buf[] {f, d};
  }

  private static void close(Buf f, Buf d, double tol, String what) {
    assertEquals(d.length(), f.length());
    for (int i = 0; i < f.length(); i++) {
      double scale = Math.max(1, Math.abs(d.get(i)));
      assertEquals(d.get(i), f.get(i), tol * scale, what + " [" + i + "]");
    }
  }

  @Test
  void gemmAllTransposesSmallAndLarge() {
    int[][] shapes = {{3, 4, 5}, {1, 7, 2}, {70, 65, 80}, {128, 33, 257}};
    for (int[] s : shapes) {
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        int m = s[0];
        int n = s[1];
        int k = s[2];
        Buf[] a = pair(m * k);
        Buf[] b = pair(k * n);
        Buf[] c = pair(m * n);
        cpu.gemm(ta, tb, m, n, k, 0.5, a[0], b[0], 0.25, c[0]);
        ref.gemm(ta, tb, m, n, k, 0.5, a[1], b[1], 0.25, c[1]);
        close(c[0], c[1], 1e-4, "gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb);
      }
    }
    assertEquals("cpu-nd4j", cpu.name(), "ND4J's native backend loaded");
  }

  @Test
  void gemmOnSlicesAtOffsets() {
    Buf[] a = pair(10 + 64 * 64);
    Buf[] b = pair(64 * 64 + 3);
    Buf[] c = pair(64 * 64 + 7);
    cpu.gemm(false, false, 64, 64, 64, 1, a[0].slice(10, 4096), b[0].slice(3, 4096), 0,
        c[0].slice(7, 4096));
    ref.gemm(false, false, 64, 64, 64, 1, a[1].slice(10, 4096), b[1].slice(3, 4096), 0,
        c[1].slice(7, 4096));
    close(c[0], c[1], 1e-4, "gemm on slices");
  }

  @Test
  void fastElementwiseKernelsMatch() {
    Buf[] x = pair(50);
    Buf[] y = pair(50);
    cpu.axpy(0.3, x[0], y[0]);
    ref.axpy(0.3, x[1], y[1]);
    close(y[0], y[1], 1e-6, "axpy");
    Buf[] v = pair(10);
    cpu.addRowVector(x[0], 5, 10, v[0]);
    ref.addRowVector(x[1], 5, 10, v[1]);
    close(x[0], x[1], 1e-6, "addRowVector");
    cpu.sumRowsInto(x[0], 5, 10, v[0]);
    ref.sumRowsInto(x[1], 5, 10, v[1]);
    close(v[0], v[1], 1e-5, "sumRowsInto");
    Buf rf = cpu.alloc(50);
    Buf rd = ref.alloc(50);
    cpu.relu(x[0], rf);
    ref.relu(x[1], rd);
    close(rf, rd, 1e-6, "relu");
    cpu.reluBackward(rf, y[0], y[0]);
    ref.reluBackward(rd, y[1], y[1]);
    close(y[0], y[1], 1e-6, "reluBackward");
  }

  @Test
  void bagMeanAndOptimizersMatch() {
    Buf[] table = pair(8 * 3);
    int[] ids = {1, 1, 4, 7};
    int[] offsets = {0, 2, 2, 4};
    Buf of = cpu.alloc(9);
    Buf od = ref.alloc(9);
    cpu.bagMean(table[0], 3, ids, offsets, of);
    ref.bagMean(table[1], 3, ids, offsets, od);
    close(of, od, 1e-6, "bagMean");
    Buf[] p = pair(40);
    Buf[] g = pair(40);
    Buf[] m = {cpu.alloc(40), ref.alloc(40)};
    Buf[] v = {cpu.alloc(40), ref.alloc(40)};
    for (int t = 1; t <= 3; t++) {
      cpu.adam(p[0], g[0], m[0], v[0], 0.01, 0.9, 0.999, 1e-8, t);
      ref.adam(p[1], g[1], m[1], v[1], 0.01, 0.9, 0.999, 1e-8, t);
    }
    close(p[0], p[1], 1e-5, "adam");
    Buf[] vel = {cpu.alloc(40), ref.alloc(40)};
    cpu.sgdMomentum(p[0], g[0], vel[0], 0.1, 0.9);
    ref.sgdMomentum(p[1], g[1], vel[1], 0.1, 0.9);
    close(p[0], p[1], 1e-5, "sgd");
  }

  @Test
  void badShapesAreRejected() {
    assertThrows(IllegalArgumentException.class,
        () -> cpu.gemm(false, false, 4, 4, 4, 1, cpu.alloc(15), cpu.alloc(16), 0, cpu.alloc(16)));
    assertThrows(IllegalArgumentException.class, () -> new CpuOps(0));
  }
}
