package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pscreen2vec.ops.FloatBuf;

/**
 * The direct {@code cblas_sgemm} path (issue 15, "step") gives bitwise what the earlier {@code
 * Nd4j.gemm} path gave on the same operands (same OpenBLAS, same thread count), on slices at
 * nonzero offsets, every transpose, beta 0 and 1, and a scratch buffer that grows between calls;
 * and it is within float rounding of a double reference. Products on pinned arrays give the
 * copying path's bits.
 */
class Nd4jGemmTest {
  private static float[] random(int n, Random r) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    return v;
  }

  /** The earlier path: ND4J arrays of the operands, then Nd4j.gemm. */
  private static float[] viaNd4j(boolean ta, boolean tb, int m, int n, int k, float[] a,
      float[] b, float beta, float[] c0) {
    INDArray na = Nd4j.create(a, new long[] {ta ? k : m, ta ? m : k}, 'c');
    INDArray nb = Nd4j.create(b, new long[] {tb ? n : k, tb ? k : n}, 'c');
    INDArray nc = Nd4j.create(c0.clone(), new long[] {m, n}, 'c');
    Nd4j.gemm(na, nb, nc, ta, tb, 1f, beta);
    return nc.data().asFloat();
  }

  @Test
  void bitwiseTheNd4jPathAndCloseToDouble() {
    CpuOps ops = new CpuOps(1);
    assumeTrue(ops.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    Nd4jGemm g = new Nd4jGemm();
    Random r = new Random(15);
    int[][] shapes = {{3, 5, 7}, {64, 96, 130}, {237, 64, 80}, {40, 300, 33}, {500, 64, 200}};
    for (int[] s : shapes) {
      int m = s[0];
      int n = s[1];
      int k = s[2];
      for (int t = 0; t < 4; t++) {
        boolean ta = (t & 1) != 0;
        boolean tb = (t & 2) != 0;
        for (float beta : new float[] {0f, 1f}) {
          float[] a = random(m * k, r);
          float[] b = random(k * n, r);
          float[] c0 = random(m * n, r);
          float[] want = viaNd4j(ta, tb, m, n, k, a, b, beta, c0);
          // the same operands at offsets 5, 9 and 3 inside larger arrays
          float[] aa = new float[a.length + 11];
          float[] bb = new float[b.length + 9];
          float[] cc = new float[c0.length + 7];
          System.arraycopy(a, 0, aa, 5, a.length);
          System.arraycopy(b, 0, bb, 9, b.length);
          System.arraycopy(c0, 0, cc, 3, c0.length);
          g.gemm(ta, tb, m, n, k, 1f, new FloatBuf(aa).slice(5, a.length),
              new FloatBuf(bb).slice(9, b.length), beta, new FloatBuf(cc).slice(3, c0.length));
          float[] got = java.util.Arrays.copyOfRange(cc, 3, 3 + c0.length);
          String what = (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m + "x" + n + "x" + k
              + " beta " + beta;
          assertArrayEquals(want, got, 0f, what);
          assertTrue(cc[2] == 0f && cc[3 + c0.length] == 0f, what + ": wrote outside C");
          for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
              double ref = beta * c0[i * n + j];
              double mag = Math.abs(ref);
              for (int p = 0; p < k; p++) {
                double x = (double) a[ta ? p * m + i : i * k + p]
                    * b[tb ? j * k + p : p * n + j];
                ref += x;
                mag += Math.abs(x);
              }
              // float accumulation of k + 1 terms: |error| <= (k + 1) * 2^-24 * sum |terms|
              double tol = (k + 1) * 0x1p-24 * mag + 1e-30;
              assertTrue(Math.abs(got[i * n + j] - ref) <= tol, what + " at " + i + "," + j);
            }
          }
        }
      }
    }
  }

  /**
   * Products on pinned arrays ({@link PinnedGemm}) give bitwise the copying path's result, at 1
   * and 2 threads, on slices at odd offsets, with A and B slices of one array and C beside A in
   * it, every transpose, beta 0 and 1, a held operand on the copying side; and the pinned path is
   * in use wherever the build made its library (so a library that fails to load fails here).
   */
  @Test
  void pinnedArraysGiveTheCopiedProductsBits() {
    CpuOps ops = new CpuOps(1);
    assumeTrue(ops.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    Nd4jGemm copied = new Nd4jGemm(false);
    Nd4jGemm pinned = new Nd4jGemm();
    if (PinnedGemm.class.getResource(PinnedGemm.RESOURCE) != null) {
      assertTrue(pinned.pinned(), "built but not used: " + PinnedGemm.whyNot());
    }
    assumeTrue(pinned.pinned(), "pinned products unavailable: " + PinnedGemm.whyNot());
    assertFalse(copied.pinned());
    Random r = new Random(17);
    int[][] shapes = {{1, 1, 1}, {3, 5, 7}, {130, 1, 64}, {1, 200, 96}, {257, 768, 129},
        {600, 300, 512}};
    int before = Nd4jGemm.threads();
    try {
      for (int threads : new int[] {1, 2}) {
        Nd4jGemm.useThreads(threads);
        for (int[] s : shapes) {
          int m = s[0];
          int n = s[1];
          int k = s[2];
          for (int t = 0; t < 8; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            boolean hold = (t & 4) != 0;
            for (float beta : new float[] {0f, 1f}) {
              // one array: 3 floats, A, 1, B, 5, C, 2 (A and B read, C written beside them)
              int ao = 3;
              int bo = ao + m * k + 1;
              int co = bo + k * n + 5;
              float[] one = random(co + m * n + 2, r);
              float[] twin = one.clone();
              FloatBuf b1 = new FloatBuf(one).slice(bo, k * n);
              if (hold) {
                copied.hold(b1);
              }
              copied.gemm(ta, tb, m, n, k, 0.75f, new FloatBuf(one).slice(ao, m * k), b1, beta,
                  new FloatBuf(one).slice(co, m * n));
              copied.release(b1);
              pinned.gemm(ta, tb, m, n, k, 0.75f, new FloatBuf(twin).slice(ao, m * k),
                  new FloatBuf(twin).slice(bo, k * n), beta,
                  new FloatBuf(twin).slice(co, m * n));
              assertArrayEquals(one, twin, 0f, (ta ? "T" : "N") + (tb ? "T" : "N") + " " + m
                  + "x" + n + "x" + k + " beta " + beta + ", " + threads + " thread(s)"
                  + (hold ? ", B held" : ""));
            }
          }
        }
      }
    } finally {
      Nd4jGemm.useThreads(before);
    }
  }

  /** A slice too short for the product fails before native code could read past it. */
  @Test
  void aShortSliceFailsBeforeThePinnedProduct() {
    CpuOps ops = new CpuOps(1);
    assumeTrue(ops.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    Nd4jGemm pinned = new Nd4jGemm();
    assumeTrue(pinned.pinned(), "pinned products unavailable: " + PinnedGemm.whyNot());
    float[] big = new float[64];
    FloatBuf a = new FloatBuf(big).slice(0, 4 * 4);
    FloatBuf shortB = new FloatBuf(big).slice(60, 4); // needs 4 x 4 = 16
    FloatBuf c = new FloatBuf(new float[16]);
    assertThrows(IllegalArgumentException.class,
        () -> pinned.gemm(false, false, 4, 4, 4, 1f, a, shortB, 0f, c));
  }

  /** A held operand gives the unheld products' bits, and after its release a change is seen. */
  @Test
  void aHeldOperandGivesTheSameBitsAndIsReleased() {
    CpuOps ops = new CpuOps(1);
    assumeTrue(ops.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    Random r = new Random(16);
    int m = 70;
    int n = 90;
    int k = 90;
    float[] store = random(k * n + 20, r); // the weights: a slice of a larger parameter array
    FloatBuf w = new FloatBuf(store).slice(10, k * n);
    FloatBuf x = new FloatBuf(random(m * k, r));
    FloatBuf plain = new FloatBuf(new float[m * n]);
    FloatBuf held = new FloatBuf(new float[m * n]);
    FloatBuf heldT = new FloatBuf(new float[m * n]);
    FloatBuf plainT = new FloatBuf(new float[m * n]);
    ops.gemm(false, false, m, n, k, 1, x, w, 0, plain);
    ops.gemm(false, true, m, n, k, 1, x, w, 0, plainT);
    try (var h = ops.hold(w)) {
      ops.gemm(false, false, m, n, k, 1, x, w, 0, held);
      ops.gemm(false, true, m, n, k, 1, x, w, 0, heldT);
      // another slice of the same array is not the held one
      FloatBuf other = new FloatBuf(store).slice(9, k * n);
      FloatBuf o1 = new FloatBuf(new float[m * n]);
      ops.gemm(false, false, m, n, k, 1, x, other, 0, o1);
      FloatBuf o2 = new FloatBuf(new float[m * n]);
      ops.gemm(false, false, m, n, k, 1, x, new FloatBuf(store.clone()).slice(9, k * n), 0, o2);
      assertArrayEquals(o2.array(), o1.array(), 0f, "a neighbouring slice");
    }
    assertArrayEquals(plain.array(), held.array(), 0f, "held B");
    assertArrayEquals(plainT.array(), heldT.array(), 0f, "held B, transposed");
    store[10] += 1f; // after the release a change of w must be seen
    FloatBuf after = new FloatBuf(new float[m * n]);
    ops.gemm(false, false, m, n, k, 1, x, w, 0, after);
    float[] want = new float[m * n];
    FloatBuf wantBuf = new FloatBuf(want);
    ops.gemm(false, false, m, n, k, 1, x, new FloatBuf(store.clone()).slice(10, k * n), 0,
        wantBuf);
    assertArrayEquals(want, after.array(), 0f, "after release");
    assertTrue(want[0] != plain.array()[0], "the change reached row 0");
  }
}
