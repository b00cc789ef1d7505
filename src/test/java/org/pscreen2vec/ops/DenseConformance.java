package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * First half of the conformance suite (see {@link OpsConformance}): storage, host transfers,
 * matrix products and element-wise kernels.
 */
public abstract class DenseConformance extends ConformanceSupport {
  // ---------------------------------------------------------------- storage and transfers

  @Test
  void nameIsDoubleAllocAndCounters() {
    assertFalse(ops.name().isEmpty());
    assertTrue(ref.isDouble());
    for (int n : SIZES) {
      Buf b = ops.alloc(n);
      assertEquals(n, b.length());
      float[] v = new float[n];
      Arrays.fill(v, Float.NaN);
      ops.download(b, 0, v, 0, n);
      for (float x : v) {
        assertEquals(0f, x, "alloc zeroes its buffer");
      }
    }
    ops.counters().reset();
    ops.gemm(false, false, 3, 5, 7, 1, ops.alloc(21), ops.alloc(35), 0, ops.alloc(15));
    assertEquals(1, ops.counters().calls());
    assertEquals(2.0 * 3 * 5 * 7, ops.counters().flops());
  }

  @Test
  void uploadAndDownloadAtOffsets() {
    rnd(1);
    for (int n : SIZES) {
      float[] host = gauss(n + 5, 1);
      Pair dst = out(n + 4);
      for (boolean t : new boolean[] {false, true}) {
        (t ? ops : ref).upload(host, 3, dst.on(t), 2, n);
      }
      dst.assertClose(EXACT, "upload " + n);
      float[] back = new float[n + 3];
      Arrays.fill(back, Float.NaN);
      ops.download(dst.b, 2, back, 1, n);
      assertArrayEquals(Arrays.copyOfRange(host, 3, 3 + n), Arrays.copyOfRange(back, 1, 1 + n));
      assertTrue(Float.isNaN(back[0]) && Float.isNaN(back[n + 1]), "download wrote outside");
    }
    Buf b = ops.alloc(4);
    assertThrows(IndexOutOfBoundsException.class, () -> ops.upload(new float[8], 0, b, 1, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> ops.download(b, 0, new float[3], 0, 4));
    assertThrows(IndexOutOfBoundsException.class, () -> ops.download(b, 0, new float[3], -1, 1));
  }

  @Test
  void hostArrayIsTheBufferOrNull() {
    for (int n : SIZES) {
      Buf b = ops.alloc(n);
      float[] a = ops.hostArray(b);
      if (a == null) {
        continue; // this backend never shares: callers copy
      }
      assertEquals(n, a.length, "hostArray of alloc(" + n + ")");
      float[] back = new float[n];
      for (int i = 0; i < n; i++) {
        a[i] = i + 0.5f;
      }
      ops.download(b, 0, back, 0, n);
      assertArrayEquals(a, back, "hostArray shares storage with the buffer");
      ops.fill(b, 2);
      for (float v : a) {
        assertEquals(2f, v, "a kernel's write shows in the host array");
      }
      if (n > 1) {
        assertEquals(null, ops.hostArray(b.slice(1, n - 1)), "a slice is not a whole array");
      }
    }
  }

  // ---------------------------------------------------------------- matrix products

  @Test
  void gemmAllTransposesEdgeOddAndLargeShapes() {
    rnd(2);
    int[][] shapes = {{0, 3, 4}, {3, 0, 4}, {3, 4, 0}, {1, 1, 1}, {3, 5, 7}, {1, 7, 2},
        {33, 35, 37}, {70, 65, 80}, {128, 33, 257}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (int t = 0; t < 8; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        boolean accumulate = (t & 4) != 0;
        double beta = accumulate ? 0.25 : 0;
        Pair a = in(m * k);
        Pair b = in(k * n);
        Pair c = accumulate ? in(m * n) : out(m * n); // beta 0: C is not read
        float[] sa = a.snapshot();
        float[] sb = b.snapshot();
        both((o, x) -> {
          o.gemm(ta, tb, m, n, k, 0.5, a.on(x), b.on(x), beta, c.on(x));
          return 0;
        });
        String what = "gemm " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " beta="
            + beta;
        if (m * n > 0) {
          c.assertWritten(what);
        }
        c.assertClose(GEMM, what);
        a.assertUnchanged(sa, what);
        b.assertUnchanged(sb, what);
      }
    }
    assertThrows(IllegalArgumentException.class,
        () -> ops.gemm(false, false, 4, 4, 4, 1, ops.alloc(15), ops.alloc(16), 0, ops.alloc(16)));
  }

  /**
   * {@link Ops#hold}: products with a held A or B agree with the reference while it is held, and
   * after the hold is closed a change to the buffer reaches the next product (issue 15, "step").
   */
  @Test
  void holdKeepsProductsRightAndEndsOnClose() {
    rnd(21);
    int m = 70;
    int n = 65;
    int k = 80;
    Pair w = in(k * n);
    Pair x = in(m * k);
    Pair c1 = out(m * n);
    Pair c2 = out(m * n);
    both((o, t) -> {
      try (Ops.Held h = o.hold(w.on(t))) {
        o.gemm(false, false, m, n, k, 1, x.on(t), w.on(t), 0, c1.on(t)); // held B
        o.gemm(false, true, m, n, k, 1, x.on(t), w.on(t).slice(0, k * n), 0, c2.on(t));
      }
      return 0;
    });
    c1.assertClose(GEMM, "held B");
    c2.assertClose(GEMM, "held B transposed");
    Pair y = in(k * m);
    Pair c3 = out(k * k);
    both((o, t) -> {
      try (Ops.Held h = o.hold(y.on(t))) { // held A, accumulating
        o.gemm(false, true, k, k, m, 1, y.on(t), y.on(t), 0, c3.on(t));
      }
      return 0;
    });
    c3.assertClose(GEMM, "held A and B");
    float[] changed = new float[k * n];
    java.util.Arrays.fill(changed, 0.5f);
    Pair c4 = out(m * n);
    both((o, t) -> {
      try (Ops.Held h = o.hold(w.on(t))) {
        o.gemm(false, false, m, n, k, 1, x.on(t), w.on(t), 0, c4.on(t));
      }
      o.upload(changed, 0, w.on(t), 0, k * n); // after the close: must be seen
      o.gemm(false, false, m, n, k, 1, x.on(t), w.on(t), 0, c4.on(t));
      return 0;
    });
    c4.assertClose(GEMM, "after the hold");
  }

  // ---------------------------------------------------------------- element-wise

  @Test
  void fillCopyAxpyScale() {
    rnd(3);
    for (int n : SIZES) {
      Pair f = out(n);
      both((o, t) -> {
        o.fill(f.on(t), -0.75);
        return 0;
      });
      f.assertClose(EXACT, "fill " + n);
      Pair src = in(n);
      Pair dst = out(n);
      float[] s0 = src.snapshot();
      both((o, t) -> {
        o.copy(src.on(t), dst.on(t));
        return 0;
      });
      dst.assertClose(EXACT, "copy " + n);
      src.assertUnchanged(s0, "copy " + n);
      Pair y = in(n);
      both((o, t) -> {
        o.axpy(0.3, src.on(t), y.on(t));
        return 0;
      });
      y.assertClose(ELEMENT, "axpy " + n);
      src.assertUnchanged(s0, "axpy " + n);
      both((o, t) -> {
        o.scale(y.on(t), -1.7);
        return 0;
      });
      y.assertClose(ELEMENT, "scale " + n);
    }
    assertThrows(IllegalArgumentException.class, () -> ops.copy(ops.alloc(3), ops.alloc(4)));
    assertThrows(IllegalArgumentException.class, () -> ops.axpy(1, ops.alloc(3), ops.alloc(4)));
  }

  @Test
  void mulAndMulAddIntoWithAliasing() {
    rnd(4);
    for (int n : SIZES) {
      for (int alias = 0; alias < 3; alias++) { // out fresh, out = a, out = b
        Pair a = in(n);
        Pair b = in(n);
        Pair o1 = alias == 0 ? out(n) : alias == 1 ? a : b;
        Pair other = alias == 1 ? b : a;
        float[] keep = other.snapshot();
        both((o, t) -> {
          o.mul(a.on(t), b.on(t), o1.on(t));
          return 0;
        });
        o1.assertClose(ELEMENT, "mul " + n + " alias " + alias);
        other.assertUnchanged(keep, "mul " + n + " alias " + alias);
      }
      Pair a = in(n);
      Pair b = in(n);
      Pair acc = in(n);
      float[] sa = a.snapshot();
      both((o, t) -> {
        o.mulAddInto(a.on(t), b.on(t), acc.on(t));
        return 0;
      });
      acc.assertClose(ELEMENT, "mulAddInto " + n);
      a.assertUnchanged(sa, "mulAddInto " + n);
    }
    assertThrows(IllegalArgumentException.class,
        () -> ops.mul(ops.alloc(3), ops.alloc(3), ops.alloc(2)));
  }

  /** y = f(x) into a fresh y and in place; then dx = g(y, dy) into a fresh dx and into dy. */
  private void activation(String name, Call forwardFresh, Call forwardInPlace, Call backwardFresh,
      Call backwardInPlace, Pair[] slots) {
    // slots: x, y, dy, dx; the calls read them through the array
    for (int n : SIZES) {
      slots[0] = Pair.of(ops, ref, gauss(n, 3)); // x: wide enough to reach saturation
      slots[1] = out(n);
      float[] sx = slots[0].snapshot();
      both(forwardFresh);
      slots[1].assertWritten(name + " " + n);
      slots[1].assertClose(ELEMENT, name + " " + n);
      slots[0].assertUnchanged(sx, name + " " + n);
      slots[2] = in(n);
      slots[3] = out(n);
      float[] sy = slots[1].snapshot();
      float[] sdy = slots[2].snapshot();
      both(backwardFresh);
      slots[3].assertClose(ELEMENT, name + "Backward " + n);
      slots[1].assertUnchanged(sy, name + "Backward " + n);
      slots[2].assertUnchanged(sdy, name + "Backward " + n);
      both(backwardInPlace);
      slots[2].assertClose(ELEMENT, name + "Backward in place " + n);
      both(forwardInPlace);
      slots[0].assertClose(ELEMENT, name + " in place " + n);
    }
  }

  private void activation(String name, Kernel2 f, Kernel3 g) {
    Pair[] s = new Pair[4];
    activation(name,
        (o, t) -> f.run(o, s[0].on(t), s[1].on(t)),
        (o, t) -> f.run(o, s[0].on(t), s[0].on(t)),
        (o, t) -> g.run(o, s[1].on(t), s[2].on(t), s[3].on(t)),
        (o, t) -> g.run(o, s[1].on(t), s[2].on(t), s[2].on(t)), s);
  }

  @FunctionalInterface
  private interface Kernel2 {
    double run(Ops o, Buf a, Buf b);
  }

  @FunctionalInterface
  private interface Kernel3 {
    double run(Ops o, Buf a, Buf b, Buf c);
  }

  @Test
  void reluAndReluBackward() {
    rnd(5);
    activation("relu", (o, x, y) -> {
      o.relu(x, y);
      return 0;
    }, (o, y, dy, dx) -> {
      o.reluBackward(y, dy, dx);
      return 0;
    });
  }

  @Test
  void tanhAndTanhBackward() {
    rnd(6);
    activation("tanh", (o, x, y) -> {
      o.tanh(x, y);
      return 0;
    }, (o, y, dy, dx) -> {
      o.tanhBackward(y, dy, dx);
      return 0;
    });
  }

  @Test
  void sigmoidAndSigmoidBackward() {
    rnd(7);
    activation("sigmoid", (o, x, y) -> {
      o.sigmoid(x, y);
      return 0;
    }, (o, y, dy, dx) -> {
      o.sigmoidBackward(y, dy, dx);
      return 0;
    });
    assertThrows(IllegalArgumentException.class, () -> ops.sigmoid(ops.alloc(3), ops.alloc(4)));
  }

  @Test
  void biasTanhAndTanhBackwardSumRows() {
    rnd(9);
    for (int[] g : GRIDS) {
      int rows = g[0];
      int cols = g[1];
      int n = rows * cols;
      Pair x = in(n + 2); // two elements past the matrix: left alone
      Pair v = in(cols);
      float[] sv = v.snapshot();
      both((o, t) -> {
        o.biasTanh(x.on(t), rows, cols, v.on(t));
        return 0;
      });
      x.assertClose(ELEMENT, "biasTanh " + rows + "x" + cols);
      v.assertUnchanged(sv, "biasTanh's bias");
      Pair dy = in(n);
      Pair dx = out(n);
      Pair sums = in(cols); // accumulated into
      both((o, t) -> {
        o.tanhBackwardSumRows(x.on(t).slice(0, n), dy.on(t), dx.on(t), rows, cols, sums.on(t));
        return 0;
      });
      dx.assertClose(ELEMENT, "tanhBackwardSumRows dx " + rows + "x" + cols);
      sums.assertClose(SUM, "tanhBackwardSumRows out " + rows + "x" + cols);
      Pair d = in(n); // dx aliasing dy
      Pair s2 = in(cols);
      both((o, t) -> {
        o.tanhBackwardSumRows(x.on(t).slice(0, n), d.on(t), d.on(t), rows, cols, s2.on(t));
        return 0;
      });
      d.assertClose(ELEMENT, "tanhBackwardSumRows in place " + rows + "x" + cols);
      s2.assertClose(SUM, "tanhBackwardSumRows in place, out " + rows + "x" + cols);
    }
  }

  @Test
  void lstmCellForwardAndLstmCellBackward() {
    rnd(10);
    for (int[] g : GRIDS) {
      int rows = g[0];
      int hidden = g[1];
      int n = rows * hidden;
      Pair gates = in(4 * n);
      Pair cPrev = in(n);
      Pair c = out(n);
      Pair h = out(n);
      float[] sp = cPrev.snapshot();
      both((o, t) -> {
        o.lstmCellForward(gates.on(t), cPrev.on(t), c.on(t), h.on(t), rows, hidden);
        return 0;
      });
      String at = rows + "x" + hidden;
      gates.assertClose(ELEMENT, "lstmCellForward activations " + at);
      c.assertClose(SUM, "lstmCellForward c " + at);
      h.assertClose(SUM, "lstmCellForward h " + at);
      cPrev.assertUnchanged(sp, "lstmCellForward's cPrev");
      for (boolean withDc : new boolean[] {true, false}) {
        Pair dh = in(n);
        Pair dc = in(n);
        Pair dGates = out(4 * n);
        Pair dcPrev = out(n);
        both((o, t) -> {
          o.lstmCellBackward(gates.on(t), cPrev.on(t), c.on(t), dh.on(t),
              withDc ? dc.on(t) : null, dGates.on(t), dcPrev.on(t), rows, hidden);
          return 0;
        });
        dGates.assertClose(SUM, "lstmCellBackward dGates " + at + (withDc ? "" : " no dc"));
        dcPrev.assertClose(SUM, "lstmCellBackward dcPrev " + at + (withDc ? "" : " no dc"));
      }
    }
  }
}
