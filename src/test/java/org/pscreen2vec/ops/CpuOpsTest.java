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

  @Test
  void rowEmbeddingLossAndConvKernelsMatch() {
    Buf[] x = pair(2 * 6 * 4 * 3); // (2, 6, 4, 3) NHWC
    Buf[] cols = {cpu.alloc(2 * 6 * 4 * 27), ref.alloc(2 * 6 * 4 * 27)};
    cpu.im2col(x[0], 2, 6, 4, 3, 3, 1, cols[0]);
    ref.im2col(x[1], 2, 6, 4, 3, 3, 1, cols[1]);
    close(cols[0], cols[1], 0, "im2col");
    Buf[] dx = {cpu.alloc(x[0].length()), ref.alloc(x[1].length())};
    cpu.col2im(cols[0], 2, 6, 4, 3, 3, 1, dx[0]);
    ref.col2im(cols[1], 2, 6, 4, 3, 3, 1, dx[1]);
    close(dx[0], dx[1], 1e-6, "col2im");
    Buf[] y = {cpu.alloc(2 * 3 * 2 * 3), ref.alloc(2 * 3 * 2 * 3)};
    int[] af = new int[y[0].length()];
    int[] ad = new int[y[1].length()];
    cpu.maxPool2(x[0], 2, 6, 4, 3, y[0], af);
    ref.maxPool2(x[1], 2, 6, 4, 3, y[1], ad);
    close(y[0], y[1], 0, "maxPool2");
    org.junit.jupiter.api.Assertions.assertArrayEquals(ad, af);
    cpu.maxPool2Backward(y[0], af, dx[0]);
    ref.maxPool2Backward(y[1], ad, dx[1]);
    close(dx[0], dx[1], 0, "maxPool2Backward");
    for (boolean tanh : new boolean[] {true, false}) {
      Buf[] a = pair(30);
      Buf[] g = pair(30);
      Buf[] o = {cpu.alloc(30), ref.alloc(30)};
      if (tanh) {
        cpu.tanh(a[0], o[0]);
        ref.tanh(a[1], o[1]);
        cpu.tanhBackward(o[0], g[0], g[0]);
        ref.tanhBackward(o[1], g[1], g[1]);
      } else {
        cpu.sigmoid(a[0], o[0]);
        ref.sigmoid(a[1], o[1]);
        cpu.sigmoidBackward(o[0], g[0], g[0]);
        ref.sigmoidBackward(o[1], g[1], g[1]);
      }
      close(o[0], o[1], 1e-6, tanh ? "tanh" : "sigmoid");
      close(g[0], g[1], 1e-6, tanh ? "tanhBackward" : "sigmoidBackward");
      cpu.mulAddInto(a[0], o[0], g[0]);
      ref.mulAddInto(a[1], o[1], g[1]);
      cpu.mul(a[0], g[0], o[0]);
      ref.mul(a[1], g[1], o[1]);
      close(o[0], o[1], 1e-5, "mul");
    }
    Buf[] t = pair(7 * 4);
    int[] ids = {3, 0, 3, 6};
    Buf[] out = {cpu.alloc(16), ref.alloc(16)};
    cpu.gatherRows(t[0], 4, ids, out[0]);
    ref.gatherRows(t[1], 4, ids, out[1]);
    close(out[0], out[1], 0, "gatherRows");
    cpu.scatterAddRows(out[0], 4, ids, t[0]);
    ref.scatterAddRows(out[1], 4, ids, t[1]);
    close(t[0], t[1], 1e-6, "scatterAddRows");
    int[] offsets = {0, 3, 3, 4};
    Buf[] dOut = pair(3 * 4);
    cpu.bagMeanBackward(dOut[0], 4, ids, offsets, t[0]);
    ref.bagMeanBackward(dOut[1], 4, ids, offsets, t[1]);
    close(t[0], t[1], 1e-6, "bagMeanBackward");
    Buf[] w = {cpu.alloc(4 * 9), ref.alloc(4 * 9)};
    cpu.copyColumns(out[0], 4, 1, w[0], 9, 5, 4, 3);
    ref.copyColumns(out[1], 4, 1, w[1], 9, 5, 4, 3);
    close(w[0], w[1], 0, "copyColumns");
    boolean[] keep = {true, false, false, true};
    Buf[] sel = {cpu.alloc(16), ref.alloc(16)};
    cpu.selectRows(keep, out[0], t[0].slice(0, 16), sel[0], 4);
    ref.selectRows(keep, out[1], t[1].slice(0, 16), sel[1], 4);
    close(sel[0], sel[1], 0, "selectRows");
    Buf[] d = {cpu.alloc(16), ref.alloc(16)};
    double ef = cpu.squaredError(out[0], sel[0], d[0], 0.1);
    double ed = ref.squaredError(out[1], sel[1], d[1], 0.1);
    assertEquals(ed, ef, 1e-5 * Math.max(1, ed));
    close(d[0], d[1], 1e-6, "squaredError");
    Buf[] m = {cpu.alloc(28), ref.alloc(28)};
    Buf[] v = {cpu.alloc(28), ref.alloc(28)};
    int[] uniq = {3, 0, 6};
    for (int step = 1; step <= 2; step++) {
      cpu.sparseAdam(t[0], 4, uniq, out[0].slice(0, 12), m[0], v[0], 0.01, 0.9, 0.999, 1e-8,
          step);
      ref.sparseAdam(t[1], 4, uniq, out[1].slice(0, 12), m[1], v[1], 0.01, 0.9, 0.999, 1e-8,
          step);
    }
    close(t[0], t[1], 1e-5, "sparseAdam");
  }

  @Test
  void plainJavaFloatBackendMatchesToo() {
    JavaOps jf = JavaOps.floats();
    assertEquals("java-float", jf.name());
    Buf a = jf.alloc(70 * 80);
    Buf b = jf.alloc(80 * 65);
    Buf[] ref2 = {ref.alloc(70 * 80), ref.alloc(80 * 65)};
    for (int i = 0; i < a.length(); i++) {
      double v = rnd.nextGaussian();
      a.set(i, v);
      ref2[0].set(i, (float) v);
    }
    for (int i = 0; i < b.length(); i++) {
      double v = rnd.nextGaussian();
      b.set(i, v);
      ref2[1].set(i, (float) v);
    }
    Buf c = jf.alloc(70 * 65);
    Buf cd = ref.alloc(70 * 65);
    jf.gemm(false, true, 70, 65, 80, 1, a, b, 0, c);
    ref.gemm(false, true, 70, 65, 80, 1, ref2[0], ref2[1], 0, cd);
    close(c, cd, 1e-4, "java-float gemm");
    Buf[] p = {jf.alloc(30), ref.alloc(30)};
    Buf[] g = pair(30);
    Buf gj = jf.alloc(30);
    jf.copy(g[0], gj);
    Buf[] m = {jf.alloc(30), ref.alloc(30)};
    Buf[] v = {jf.alloc(30), ref.alloc(30)};
    jf.adam(p[0], gj, m[0], v[0], 0.01, 0.9, 0.999, 1e-8, 1);
    ref.adam(p[1], g[1], m[1], v[1], 0.01, 0.9, 0.999, 1e-8, 1);
    close(p[0], p[1], 1e-6, "java-float adam");
  }
}
