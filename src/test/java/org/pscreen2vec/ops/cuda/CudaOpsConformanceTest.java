package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.OpsConformance;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The shared conformance suite (every kernel against the double reference, edge sizes, outputs
 * poisoned) on the CUDA backend, plus what only this backend has: buffers that stay on the
 * device (no host array), foreign heap buffers as operands, the fused and LSTM kernels.
 * Tagged gpu ({@code make gpu-test}); where no GPU is usable every test reports "skipped: no
 * GPU: reason".
 */
@Tag("gpu")
class CudaOpsConformanceTest extends OpsConformance {
  private String noGpu;

  @Override
  protected Ops create() {
    try {
      return CudaOps.open(0, false);
    } catch (NoGpuException e) {
      noGpu = e.getMessage();
      return null;
    }
  }

  /** Each test, the suite's included, reports "skipped: no GPU: reason" where there is none. */
  @BeforeEach
  void needsGpu() {
    Assumptions.assumeTrue(ops != null, () -> "skipped: " + noGpu);
  }

  private CudaOps cuda() {
    return (CudaOps) ops;
  }

  @Test
  void namedCudaAndRejectsOtherStorages() {
    assertEquals("cuda", ops.name());
    assertThrows(IllegalArgumentException.class, () -> ops.fill(new ReferenceOps().alloc(3), 1));
  }

  @Test
  void foreignHeapBuffersAreStagedAndWrittenBack() {
    Buf table = ops.alloc(6);
    ops.upload(new float[] {1, 2, 3, 4, 5, 6}, 0, table, 0, 6);
    float[] rows = {10, 20, 30, 40, 50, 60, 70};
    // a heap FloatBuf (as the trainer passes synchronized rows) slice at an offset
    ops.scatterAddRows(new FloatBuf(rows, 1, 4), 2, new int[] {2, 0}, table);
    float[] got = new float[6];
    ops.download(table, 0, got, 0, 6);
    assertEquals(41f, got[0]);
    assertEquals(52f, got[1]);
    assertEquals(25f, got[4]);
    assertEquals(36f, got[5]);
    float[] out = new float[5];
    ops.fill(new FloatBuf(out, 1, 3), 7);
    assertEquals(0f, out[0]);
    assertEquals(7f, out[3]);
    assertEquals(0f, out[4]);
  }

  @Test
  void fusedBiasActivationMatchesItsParts() {
    int rows = 37;
    int cols = 129;
    rnd(40);
    float[] x = gauss(rows * cols, 2);
    float[] b = gauss(cols, 1);
    float[] dy = gauss(rows * cols, 1);
    for (int act = 0; act <= 3; act++) {
      Buf bx = ops.alloc(x.length);
      Buf bb = ops.alloc(cols);
      Buf y = ops.alloc(x.length);
      ops.upload(x, 0, bx, 0, x.length);
      ops.upload(b, 0, bb, 0, cols);
      cuda().biasActivation(bx, rows, cols, bb, y, act);
      Buf want = ops.alloc(x.length);
      ops.copy(bx, want);
      ops.addRowVector(want, rows, cols, bb);
      switch (act) {
        case Kernels.ACT_RELU -> ops.relu(want, want);
        case Kernels.ACT_TANH -> ops.tanh(want, want);
        case Kernels.ACT_SIGMOID -> ops.sigmoid(want, want);
        default -> { }
      }
      assertClose(want, y, 1e-6, "biasActivation act " + act);
      Buf bdy = ops.alloc(dy.length);
      ops.upload(dy, 0, bdy, 0, dy.length);
      Buf dx = ops.alloc(dy.length);
      Buf db = ops.alloc(cols);
      cuda().biasActivationBackward(y, bdy, dx, db, rows, cols, act);
      Buf wdx = ops.alloc(dy.length);
      switch (act) {
        case Kernels.ACT_RELU -> ops.reluBackward(y, bdy, wdx);
        case Kernels.ACT_TANH -> ops.tanhBackward(y, bdy, wdx);
        case Kernels.ACT_SIGMOID -> ops.sigmoidBackward(y, bdy, wdx);
        default -> ops.copy(bdy, wdx);
      }
      Buf wdb = ops.alloc(cols);
      ops.sumRowsInto(wdx, rows, cols, wdb);
      assertClose(wdx, dx, 1e-6, "biasActivationBackward dx act " + act);
      assertClose(wdb, db, 1e-5, "biasActivationBackward dBias act " + act);
    }
  }

  @Test
  void opsFusedStepsMatchTheirPairs() { // what ElmanRnn calls through Ops
    int rows = 37;
    int cols = 129;
    rnd(41);
    float[] x = gauss(rows * cols, 2);
    float[] b = gauss(cols, 1);
    float[] dy = gauss(rows * cols, 1);
    Buf y = ops.alloc(x.length);
    Buf bb = ops.alloc(cols);
    ops.upload(x, 0, y, 0, x.length);
    ops.upload(b, 0, bb, 0, cols);
    Buf want = ops.alloc(x.length);
    ops.copy(y, want);
    ops.addRowVector(want, rows, cols, bb);
    ops.tanh(want, want);
    ops.biasTanh(y, rows, cols, bb);
    assertClose(want, y, 1e-6, "biasTanh");
    Buf bdy = ops.alloc(dy.length);
    ops.upload(dy, 0, bdy, 0, dy.length);
    Buf dx = ops.alloc(dy.length);
    Buf db = ops.alloc(cols);
    ops.tanhBackwardSumRows(y, bdy, dx, rows, cols, db);
    Buf wdx = ops.alloc(dy.length);
    ops.tanhBackward(y, bdy, wdx);
    Buf wdb = ops.alloc(cols);
    ops.sumRowsInto(wdx, rows, cols, wdb);
    assertClose(wdx, dx, 1e-6, "tanhBackwardSumRows dx");
    assertClose(wdb, db, 1e-5, "tanhBackwardSumRows out");
  }

  @Test
  void lstmCellAgainstDoubleFormulas() {
    int rows = 5;
    int h = 33;
    rnd(41);
    float[] gates = gauss(rows * 4 * h, 1.5);
    float[] cPrev = gauss(rows * h, 1);
    float[] dh = gauss(rows * h, 1);
    float[] dc = gauss(rows * h, 1);
    Buf g = ops.alloc(gates.length);
    ops.upload(gates, 0, g, 0, gates.length);
    Buf cp = ops.alloc(cPrev.length);
    ops.upload(cPrev, 0, cp, 0, cPrev.length);
    Buf c = ops.alloc(rows * h);
    Buf hh = ops.alloc(rows * h);
    cuda().lstmCellForward(g, cp, c, hh, rows, h);
    Buf bdh = ops.alloc(dh.length);
    ops.upload(dh, 0, bdh, 0, dh.length);
    Buf bdc = ops.alloc(dc.length);
    ops.upload(dc, 0, bdc, 0, dc.length);
    Buf dg = ops.alloc(gates.length);
    Buf dcp = ops.alloc(rows * h);
    cuda().lstmCellBackward(g, cp, c, bdh, bdc, dg, dcp, rows, h);
    float[] gotC = host(c);
    float[] gotH = host(hh);
    float[] gotDg = host(dg);
    float[] gotDcp = host(dcp);
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < h; j++) {
        int e = r * h + j;
        int base = r * 4 * h;
        double i = sig(gates[base + j]);
        double f = sig(gates[base + h + j]);
        double gg = Math.tanh(gates[base + 2 * h + j]);
        double o = sig(gates[base + 3 * h + j]);
        double cv = f * cPrev[e] + i * gg;
        double tc = Math.tanh(cv);
        assertEquals(cv, gotC[e], 1e-5, "c");
        assertEquals(o * tc, gotH[e], 1e-5, "h");
        double dC = dh[e] * o * (1 - tc * tc) + dc[e];
        assertEquals(dC * gg * i * (1 - i), gotDg[base + j], 1e-5, "d i");
        assertEquals(dC * cPrev[e] * f * (1 - f), gotDg[base + h + j], 1e-5, "d f");
        assertEquals(dC * i * (1 - gg * gg), gotDg[base + 2 * h + j], 1e-5, "d g");
        assertEquals(dh[e] * tc * o * (1 - o), gotDg[base + 3 * h + j], 1e-5, "d o");
        assertEquals(dC * f, gotDcp[e], 1e-5, "dcPrev");
      }
    }
  }

  @Test
  void reduceSegmentAddsAReceivedSegment() {
    rnd(42);
    for (int n : SIZES) {
      float[] a = gauss(n, 1);
      float[] b = gauss(n, 1);
      Buf dst = ops.alloc(n);
      Buf src = ops.alloc(n);
      ops.upload(a, 0, dst, 0, n);
      ops.upload(b, 0, src, 0, n);
      cuda().reduceSegment(src, dst);
      float[] got = host(dst);
      for (int i = 0; i < n; i++) {
        assertEquals(a[i] + b[i], got[i], 0f, "element " + i + " of " + n);
      }
    }
    assertTrue(cuda().deviceBytes() > 0);
  }

  private static double sig(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private float[] host(Buf b) {
    float[] v = new float[b.length()];
    ops.download(b, 0, v, 0, v.length);
    return v;
  }

  private void assertClose(Buf want, Buf got, double tol, String what) {
    float[] w = host(want);
    float[] g = host(got);
    for (int i = 0; i < w.length; i++) {
      assertEquals(w[i], g[i], tol * Math.max(1, Math.abs(w[i])), what + " [" + i + "]");
    }
  }
}
