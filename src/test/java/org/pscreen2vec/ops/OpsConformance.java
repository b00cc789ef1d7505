package org.pscreen2vec.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The conformance suite every {@link Ops} backend runs (a subclass names the backend): each
 * method against the double reference ({@link ReferenceOps}) at sizes 0, 1 and odd sizes, on
 * slices with guard elements (see {@link Pair}), with outputs poisoned with NaN before the call
 * (an element left unwritten stays NaN and fails), inputs checked unchanged where a method must
 * not write them, and the documented aliasing exercised.
 *
 * <p>Tolerances: see {@link ConformanceSupport}. The first half of the tests is in {@link
 * DenseConformance}; a backend's test class extends this one and names the backend.
 */
public abstract class OpsConformance extends DenseConformance {
  // ---------------------------------------------------------------- the suite covers Ops

  @Test
  void everyOpsMethodHasATestHere() {
    Set<String> tests = new TreeSet<>(); // lower-case names of the tests of this class
    for (Class<?> c = OpsConformance.class; c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(Test.class)) {
          tests.add(m.getName().toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    Set<String> missing = new TreeSet<>();
    for (Method m : Ops.class.getMethods()) {
      String name = m.getName().toLowerCase(java.util.Locale.ROOT);
      if (tests.stream().noneMatch(t -> t.contains(name))) {
        missing.add(m.getName());
      }
    }
    assertTrue(missing.isEmpty(), "Ops methods without a conformance test: " + missing);
  }

  // ---------------------------------------------------------------- rows and columns

  @Test
  void addRowVectorAndSumRowsInto() {
    rnd(8);
    for (int[] g : GRIDS) {
      int rows = g[0];
      int cols = g[1];
      Pair x = in(rows * cols);
      Pair v = in(cols);
      float[] sv = v.snapshot();
      both((o, t) -> {
        o.addRowVector(x.on(t), rows, cols, v.on(t));
        return 0;
      });
      x.assertClose(ELEMENT, "addRowVector " + rows + "x" + cols);
      v.assertUnchanged(sv, "addRowVector");
      Pair sum = in(cols);
      float[] sx = x.snapshot();
      both((o, t) -> {
        o.sumRowsInto(x.on(t), rows, cols, sum.on(t));
        return 0;
      });
      sum.assertClose(SUM, "sumRowsInto " + rows + "x" + cols);
      x.assertUnchanged(sx, "sumRowsInto");
    }
  }

  @Test
  void copyColumnsLeavesOtherColumns() {
    rnd(9);
    int[][] cases = { // rows, srcCols, srcCol, dstCols, dstCol, width
        {0, 4, 1, 5, 2, 2}, {1, 1, 0, 1, 0, 1}, {3, 5, 2, 7, 4, 3}, {7, 9, 0, 9, 0, 9},
        {5, 6, 6, 3, 0, 0}};
    for (int[] c : cases) {
      Pair src = in(c[0] * c[1]);
      Pair dst = out(c[0] * c[3]);
      float[] ss = src.snapshot();
      both((o, t) -> {
        o.copyColumns(src.on(t), c[1], c[2], dst.on(t), c[3], c[4], c[0], c[5]);
        return 0;
      });
      dst.assertClose(EXACT, "copyColumns " + Arrays.toString(c));
      src.assertUnchanged(ss, "copyColumns");
    }
  }

  private boolean[] keep(int rows) {
    boolean[] k = new boolean[rows];
    for (int r = 0; r < rows; r++) {
      k[r] = rnd.nextBoolean();
    }
    return k;
  }

  @Test
  void selectRowsWithAliasingAndZeroRows() {
    rnd(10);
    for (int[] g : GRIDS) {
      int rows = g[0];
      int cols = g[1];
      boolean[] keep = keep(rows);
      for (int alias = 0; alias < 3; alias++) {
        Pair a = in(rows * cols);
        Pair b = in(rows * cols);
        Pair o1 = alias == 0 ? out(rows * cols) : alias == 1 ? a : b;
        both((o, t) -> {
          o.selectRows(keep, a.on(t), b.on(t), o1.on(t), cols);
          return 0;
        });
        o1.assertClose(EXACT, "selectRows " + rows + "x" + cols + " alias " + alias);
      }
      Pair x = in(rows * cols);
      both((o, t) -> {
        o.zeroRows(keep, x.on(t), cols);
        return 0;
      });
      x.assertClose(EXACT, "zeroRows " + rows + "x" + cols);
    }
  }

  // ---------------------------------------------------------------- embeddings

  private int[] ids(int n, int rows) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = rnd.nextInt(rows);
    }
    return ids;
  }

  /** n distinct ids below rows, in random order. */
  private int[] uniqueIds(int n, int rows) {
    int[] all = new int[rows];
    for (int i = 0; i < rows; i++) {
      all[i] = i;
    }
    for (int i = rows - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int s = all[i];
      all[i] = all[j];
      all[j] = s;
    }
    return Arrays.copyOf(all, n);
  }

  @Test
  void gatherRowsAndScatterAddRowsWithRepeats() {
    rnd(11);
    int rows = 13;
    for (int dim : new int[] {1, 7, 33}) {
      for (int n : new int[] {0, 1, 9, 40}) {
        int[] ids = ids(n, rows);
        Pair table = in(rows * dim);
        Pair o1 = out(n * dim);
        float[] st = table.snapshot();
        both((o, t) -> {
          o.gatherRows(table.on(t), dim, ids, o1.on(t));
          return 0;
        });
        o1.assertClose(EXACT, "gatherRows dim " + dim + " n " + n);
        table.assertUnchanged(st, "gatherRows");
        float[] so = o1.snapshot();
        both((o, t) -> {
          o.scatterAddRows(o1.on(t), dim, ids, table.on(t));
          return 0;
        });
        table.assertClose(SUM, "scatterAddRows dim " + dim + " n " + n);
        o1.assertUnchanged(so, "scatterAddRows");
      }
    }
  }

  @Test
  void bagMeanAndBagMeanBackwardWithEmptyBags() {
    rnd(12);
    int rows = 11;
    int[][] sizes = {{}, {0}, {1}, {3, 0, 2}, {0, 0}, {5, 1, 0, 7, 2}};
    for (int dim : new int[] {1, 7, 33}) {
      for (int[] bagSizes : sizes) {
        int bags = bagSizes.length;
        int[] offsets = new int[bags + 1];
        for (int b = 0; b < bags; b++) {
          offsets[b + 1] = offsets[b] + bagSizes[b];
        }
        int total = offsets[bags];
        int[] ids = ids(total, rows);
        Pair table = in(rows * dim);
        Pair o1 = out(bags * dim);
        float[] st = table.snapshot();
        String what = "dim " + dim + " bags " + Arrays.toString(bagSizes);
        both((o, t) -> {
          o.bagMean(table.on(t), dim, ids, offsets, o1.on(t));
          return 0;
        });
        o1.assertWritten("bagMean " + what);
        o1.assertClose(SUM, "bagMean " + what);
        table.assertUnchanged(st, "bagMean");
        int[] slots = ids(total, 6);
        Pair dOut = in(bags * dim);
        Pair dRows = in(6 * dim);
        float[] sd = dOut.snapshot();
        both((o, t) -> {
          o.bagMeanBackward(dOut.on(t), dim, slots, offsets, dRows.on(t));
          return 0;
        });
        dRows.assertClose(SUM, "bagMeanBackward " + what);
        dOut.assertUnchanged(sd, "bagMeanBackward");
      }
    }
  }

  // ---------------------------------------------------------------- losses

  @Test
  void softmaxCrossEntropyMaskedAliasedAndLargeLogits() {
    rnd(13);
    for (int[] g : GRIDS) {
      int rows = g[0];
      int cols = g[1];
      for (int variant = 0; variant < 4; variant++) { // bit 0: mask, bit 1: dLogits = logits
        boolean masked = (variant & 1) != 0;
        boolean alias = (variant & 2) != 0;
        int[] targets = ids(rows, cols);
        boolean[] allowed = masked ? new boolean[rows * cols] : null;
        if (masked) {
          for (int i = 0; i < allowed.length; i++) {
            allowed[i] = rnd.nextInt(3) > 0;
          }
          for (int r = 0; r < rows; r++) {
            allowed[r * cols + targets[r]] = true;
          }
        }
        Pair logits = Pair.of(ops, ref, gauss(rows * cols, 20)); // large: needs the max shift
        Pair d = alias ? logits : out(rows * cols);
        float[] sl = logits.snapshot();
        String what = "softmaxCrossEntropy " + rows + "x" + cols + " masked " + masked
            + " aliased " + alias;
        assertLoss(both((o, t) -> o.softmaxCrossEntropy(logits.on(t), rows, cols, targets,
            allowed, d.on(t), 0.5)), what);
        d.assertWritten(what);
        d.assertClose(SUM, what);
        if (!alias) {
          logits.assertUnchanged(sl, what);
        }
      }
    }
    Buf x = ops.alloc(6);
    Buf dx = ops.alloc(6);
    boolean[] allowed = {true, false, true, true, true, true};
    assertThrows(IllegalArgumentException.class,
        () -> ops.softmaxCrossEntropy(x, 2, 3, new int[] {1, 0}, allowed, dx, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ops.softmaxCrossEntropy(x, 2, 3, new int[] {0, 3}, null, dx, 1));
  }

  @Test
  void squaredError() {
    rnd(14);
    for (int n : SIZES) {
      Pair p = in(n);
      Pair target = in(n);
      Pair d = out(n);
      float[] sp = p.snapshot();
      float[] st = target.snapshot();
      assertLoss(both((o, t) -> o.squaredError(p.on(t), target.on(t), d.on(t), 0.1)),
          "squaredError " + n);
      d.assertWritten("squaredError " + n);
      d.assertClose(ELEMENT, "squaredError " + n);
      p.assertUnchanged(sp, "squaredError");
      target.assertUnchanged(st, "squaredError");
    }
  }

  // ---------------------------------------------------------------- convolution (NHWC)

  @Test
  void im2colAndCol2im() {
    rnd(15);
    int[][] shapes = { // n, h, w, c, k, pad
        {0, 3, 3, 2, 3, 1}, {1, 1, 1, 1, 1, 0}, {2, 5, 3, 3, 3, 1}, {1, 4, 6, 2, 5, 2},
        {2, 6, 4, 3, 3, 1}};
    for (int[] s : shapes) {
      int pixels = s[0] * s[1] * s[2];
      int patch = s[4] * s[4] * s[3];
      Pair x = in(pixels * s[3]);
      Pair cols = out(pixels * patch);
      float[] sx = x.snapshot();
      both((o, t) -> {
        o.im2col(x.on(t), s[0], s[1], s[2], s[3], s[4], s[5], cols.on(t));
        return 0;
      });
      cols.assertWritten("im2col " + Arrays.toString(s));
      cols.assertClose(EXACT, "im2col " + Arrays.toString(s));
      x.assertUnchanged(sx, "im2col");
      Pair dCols = in(pixels * patch);
      Pair dx = out(pixels * s[3]);
      float[] sc = dCols.snapshot();
      both((o, t) -> {
        o.col2im(dCols.on(t), s[0], s[1], s[2], s[3], s[4], s[5], dx.on(t));
        return 0;
      });
      dx.assertWritten("col2im " + Arrays.toString(s));
      dx.assertClose(SUM, "col2im " + Arrays.toString(s));
      dCols.assertUnchanged(sc, "col2im");
    }
  }

  @Test
  void maxPool2AndMaxPool2Backward() {
    rnd(16);
    int[][] shapes = {{0, 2, 2, 1}, {1, 2, 2, 1}, {2, 6, 4, 3}, {1, 5, 7, 2}, {3, 4, 4, 5}};
    for (int[] s : shapes) {
      int n = s[0];
      int h = s[1];
      int w = s[2];
      int c = s[3];
      int outLen = n * (h / 2) * (w / 2) * c;
      Pair x = in(n * h * w * c);
      Pair y = out(outLen);
      int[] argB = new int[outLen];
      int[] argR = new int[outLen];
      Arrays.fill(argB, -1);
      Arrays.fill(argR, -1);
      float[] sx = x.snapshot();
      both((o, t) -> {
        o.maxPool2(x.on(t), n, h, w, c, y.on(t), t ? argB : argR);
        return 0;
      });
      String what = "maxPool2 " + Arrays.toString(s);
      y.assertWritten(what);
      y.assertClose(EXACT, what);
      assertArrayEquals(argR, argB, what + ": argmax");
      x.assertUnchanged(sx, what);
      Pair dy = in(outLen);
      Pair dx = out(n * h * w * c);
      float[] sdy = dy.snapshot();
      both((o, t) -> {
        o.maxPool2Backward(dy.on(t), argR, dx.on(t));
        return 0;
      });
      dx.assertWritten("maxPool2Backward " + Arrays.toString(s));
      dx.assertClose(EXACT, "maxPool2Backward " + Arrays.toString(s));
      dy.assertUnchanged(sdy, "maxPool2Backward");
    }
  }

  /**
   * maxPool2 on windows with equal values, signed zeros and infinities (the CPU kernel compares
   * without branches): the same maxima and the same argmax, the first of equal values.
   */
  @Test
  void maxPool2TiesAndSignedZeros() {
    float inf = Float.POSITIVE_INFINITY;
    float[] pool = {-1f, -0f, 0f, 1f, -inf, inf, 1e-45f, -1e-45f, 3.4e38f, -3.4e38f};
    Random r = rnd(17);
    for (int[] s : new int[][] {{1, 2, 2, 1}, {2, 6, 4, 3}, {3, 5, 7, 2}, {1, 8, 8, 16}}) {
      int n = s[0];
      int h = s[1];
      int w = s[2];
      int c = s[3];
      float[] v = new float[n * h * w * c];
      for (int i = 0; i < v.length; i++) {
        v[i] = pool[r.nextInt(i % 2 == 0 ? 3 : i % 3 == 0 ? 6 : pool.length)]; // many ties
      }
      int outLen = n * (h / 2) * (w / 2) * c;
      Pair x = Pair.of(ops, ref, v);
      Pair y = out(outLen);
      int[] argB = new int[outLen];
      int[] argR = new int[outLen];
      Arrays.fill(argB, -1);
      Arrays.fill(argR, -1);
      both((o, t) -> {
        o.maxPool2(x.on(t), n, h, w, c, y.on(t), t ? argB : argR);
        return 0;
      });
      String what = "maxPool2 ties " + Arrays.toString(s);
      y.assertWritten(what);
      assertArrayEquals(argR, argB, what + ": argmax");
      float[] got = y.backendValues(); // bitwise (infinities: no tolerance to compare within)
      for (int i = 0; i < outLen; i++) {
        assertEquals(Float.floatToIntBits(v[argR[i]]), Float.floatToIntBits(got[i]),
            what + ": the sign of y[" + i + "] is the first maximum's");
      }
    }
  }

  // ---------------------------------------------------------------- whole convolution layers

  /**
   * conv2d, then conv2dBackward with and without dx, on the backend's own scratch (poisoned
   * before each call, like y and dx): edge sizes (no image, 1 x 1, images narrower and shorter
   * than the kernel, k 1, 3, 5, 7), odd channel counts. The products sum k k cin (forward),
   * k k cout (dx) and n h w (weights) terms: tolerance {@link #GEMM}.
   */
  @Test
  void conv2dConv2dBackwardAndConv2dScratch() {
    rnd(21);
    int[][] shapes = { // n, h, w, cin, cout, k
        {0, 3, 3, 2, 2, 3}, {1, 1, 1, 1, 1, 1}, {2, 5, 3, 3, 4, 3}, {1, 4, 6, 2, 3, 5},
        {3, 7, 5, 2, 3, 5}, {2, 6, 4, 1, 8, 5}, {1, 3, 9, 2, 2, 7}, {2, 2, 2, 3, 1, 5}};
    for (int[] s : shapes) {
      int n = s[0];
      int h = s[1];
      int w = s[2];
      int cin = s[3];
      int cout = s[4];
      int k = s[5];
      String what = "conv2d " + Arrays.toString(s);
      Pair x = in(n * h * w * cin);
      Pair wt = in(k * k * cin * cout);
      Pair bias = in(cout);
      Pair y = out(n * h * w * cout);
      Buf[] scratch = new Buf[2]; // [0] the backend's, [1] the reference's
      float[] sx = x.snapshot();
      float[] sw = wt.snapshot();
      both((o, t) -> {
        long len = o.conv2dScratch(n, h, w, cin, k);
        scratch[t ? 0 : 1] = len == 0 ? null : poisoned(o, (int) len);
        o.conv2d(x.on(t), n, h, w, cin, k, wt.on(t), bias.on(t), cout, y.on(t),
            scratch[t ? 0 : 1]);
        return 0;
      });
      y.assertWritten(what);
      y.assertClose(GEMM, what);
      x.assertUnchanged(sx, what + ": x");
      wt.assertUnchanged(sw, what + ": weights");
      for (boolean withDx : new boolean[] {false, true}) {
        Pair dy = in(n * h * w * cout);
        Pair dWt = in(k * k * cin * cout); // gradients accumulate: start from non-zero values
        Pair dBias = in(cout);
        Pair dx = withDx ? out(n * h * w * cin) : null;
        float[] sdy = dy.snapshot();
        both((o, t) -> {
          o.conv2dBackward(x.on(t), n, h, w, cin, k, wt.on(t), cout, dy.on(t), dWt.on(t),
              dBias.on(t), withDx ? dx.on(t) : null, scratch[t ? 0 : 1]);
          return 0;
        });
        String b = "conv2dBackward " + Arrays.toString(s) + (withDx ? " with dx" : "");
        dWt.assertClose(GEMM, b + ": weight gradient");
        dBias.assertClose(SUM, b + ": bias gradient");
        if (withDx) {
          dx.assertWritten(b);
          dx.assertClose(GEMM, b + ": dx");
        }
        dy.assertUnchanged(sdy, b + ": dy");
        x.assertUnchanged(sx, b + ": x");
        wt.assertUnchanged(sw, b + ": weights");
        if (!withDx) { // backward may overwrite scratch: forward again before the next backward
          both((o, t) -> {
            o.conv2d(x.on(t), n, h, w, cin, k, wt.on(t), bias.on(t), cout, y.on(t),
                scratch[t ? 0 : 1]);
            return 0;
          });
        }
      }
    }
  }

  private static Buf poisoned(Ops o, int len) {
    Buf b = o.alloc(len);
    o.fill(b, Double.NaN);
    return b;
  }

  // ---------------------------------------------------------------- optimizer updates

  @Test
  void sgdMomentumAndAdamOverSteps() {
    rnd(17);
    for (int n : SIZES) {
      Pair p = in(n);
      Pair g = in(n);
      Pair vel = in(n);
      Pair m = in(n);
      Pair v = positive(n);
      float[] sg = g.snapshot();
      for (int step = 1; step <= 3; step++) {
        long t = step;
        both((o, x) -> {
          o.sgdMomentum(p.on(x), g.on(x), vel.on(x), 0.1, 0.9);
          return 0;
        });
        both((o, x) -> {
          o.adam(p.on(x), g.on(x), m.on(x), v.on(x), 0.01, 0.9, 0.999, 1e-8, t);
          return 0;
        });
      }
      p.assertClose(OPTIMIZER, "sgdMomentum + adam p " + n);
      vel.assertClose(OPTIMIZER, "sgdMomentum velocity " + n);
      m.assertClose(OPTIMIZER, "adam m " + n);
      v.assertClose(OPTIMIZER, "adam v " + n);
      g.assertUnchanged(sg, "sgdMomentum + adam gradient");
    }
  }

  @Test
  void sparseAdamAndSparseAdagradOnRows() {
    rnd(18);
    int rows = 17;
    for (int dim : new int[] {1, 7, 33}) {
      for (int n : new int[] {0, 1, 9, 17}) {
        int[] ids = uniqueIds(n, rows);
        Pair table = in(rows * dim);
        Pair grads = in(n * dim);
        Pair m = in(rows * dim);
        Pair v = positive(rows * dim);
        Pair acc = positive(rows * dim);
        float[] sg = grads.snapshot();
        for (int step = 1; step <= 3; step++) {
          long t = 10 + step;
          both((o, x) -> {
            o.sparseAdam(table.on(x), dim, ids, grads.on(x), m.on(x), v.on(x), 0.01, 0.9, 0.999,
                1e-8, t);
            return 0;
          });
          both((o, x) -> {
            o.sparseAdagrad(table.on(x), dim, ids, grads.on(x), acc.on(x), 0.05, 1e-8);
            return 0;
          });
        }
        String what = "dim " + dim + " rows " + n;
        table.assertClose(OPTIMIZER, "sparseAdam + sparseAdagrad table " + what);
        m.assertClose(OPTIMIZER, "sparseAdam m " + what);
        v.assertClose(OPTIMIZER, "sparseAdam v " + what);
        acc.assertClose(OPTIMIZER, "sparseAdagrad acc " + what);
        grads.assertUnchanged(sg, "sparse optimizers' gradient rows");
      }
    }
  }
}
