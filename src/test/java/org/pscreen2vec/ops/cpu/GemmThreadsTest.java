package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;
import org.pscreen2vec.ops.Buf;

/**
 * Thread defaults (issue 15): with an allowance of 2 BLAS threads, a product on copied operands
 * below {@link CpuOps#PARALLEL_GEMM_MACS} runs on one thread and a larger one on two, a product
 * on pinned arrays by the lower {@link CpuOps#PINNED_PARALLEL_MACS}, and the same product gives
 * bitwise the same result every time whatever ran between (the thread count is a function of
 * the shape and the path alone).
 */
class GemmThreadsTest {
  private static Buf random(CpuOps o, int n, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextFloat() - 0.5f;
    }
    Buf b = o.alloc(n);
    o.upload(v, 0, b, 0, n);
    return b;
  }

  private static float[] product(CpuOps o, int m, int n, int k) {
    Buf c = o.alloc(m * n);
    o.gemm(false, false, m, n, k, 1, random(o, m * k, 1), random(o, k * n, 2), 0, c);
    float[] out = new float[m * n];
    o.download(c, 0, out, 0, out.length);
    return out;
  }

  @Test
  void smallProductsRunOnOneThreadLargeOnesOnTheAllowance() {
    CpuOps o = new CpuOps(2, false);
    assumeTrue(o.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    product(o, 64, 256, 784); // the Fashion MLP's largest product: 12.8 M multiply-adds
    assertEquals(1, Nd4jGemm.threads());
    int side = (int) Math.ceil(Math.cbrt(CpuOps.PARALLEL_GEMM_MACS)) + 1;
    float[] first = product(o, side, side, side);
    assertEquals(2, Nd4jGemm.threads());
    product(o, 63, 257, 1001); // small again: back to one thread
    assertEquals(1, Nd4jGemm.threads());
    product(o, 200, 768, 768); // the paper RNN's per-step product: every side >= 160
    assertEquals(2, Nd4jGemm.threads());
    product(o, 118, 128, 11200); // the local layout autoencoder's: a side of 118
    assertEquals(1, Nd4jGemm.threads());
    assertArrayEquals(first, product(o, side, side, side), 0f);
  }

  @Test
  void productsOnPinnedArraysHaveTheirOwnLimit() {
    CpuOps o = new CpuOps(2);
    assumeTrue(o.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    assumeTrue(o.nd4jGemm().pinned(), "pinned products unavailable: " + PinnedGemm.whyNot());
    // below the pinned limit (16 M): one thread, as on copied operands
    float[] small = product(o, 64, 256, 784);
    assertEquals(1, Nd4jGemm.threads());
    // the paper LSTM's 32 x 768 x 3072 (75 M), the local layout autoencoder's, a tall one: one
    // thread when copied (a side under 160), two when pinned
    int[][] wide = {{32, 768, 3072}, {118, 128, 11200}, {4096, 64, 64}};
    for (int[] s : wide) {
      assertTrue(CpuOps.parallel(true, s[0], s[1], s[2]));
      assertFalse(CpuOps.parallel(false, s[0], s[1], s[2]));
      product(o, s[0], s[1], s[2]);
      assertEquals(2, Nd4jGemm.threads(), s[0] + "x" + s[1] + "x" + s[2]);
    }
    assertArrayEquals(small, product(o, 64, 256, 784), 0f);
    assertEquals(1, Nd4jGemm.threads());
  }

  /**
   * Where the project's JNI library is built, it sets the count of the very OpenBLAS whose
   * products run here: it reads back what it set and what ND4J's setter set (ND4J's getter reads
   * another copy of OpenBLAS, libopenblas.so.0, so it is not asked). That the count reaches the
   * products: a 1024^3 product took 17.1 ms after setting 1 and 8.5 ms after 2 (a probe,
   * docs/PERFORMANCE.md); timing is left out of unit tests.
   */
  @Test
  void theDirectThreadCountIsTheLibrarysOwn() {
    CpuOps o = new CpuOps(2);
    assumeTrue(o.name().equals("cpu-nd4j"), "ND4J's native backend did not load here");
    if (PinnedGemm.class.getResource(PinnedGemm.RESOURCE) != null) {
      assertTrue(PinnedGemm.controlsThreads(), "built but not used: " + PinnedGemm.whyNot());
    }
    assumeTrue(PinnedGemm.controlsThreads(), "no direct thread control: " + PinnedGemm.whyNot());
    int before = PinnedGemm.threads();
    try {
      for (int t : new int[] {1, 2, 1}) {
        assertTrue(PinnedGemm.setThreads(t));
        assertEquals(t, PinnedGemm.threads());
        assertEquals(t, Nd4jGemm.threads());
        Nd4j.factory().blas().setMaxThreads(3 - t);
        assertEquals(3 - t, PinnedGemm.threads());
      }
    } finally {
      PinnedGemm.setThreads(before);
    }
  }
}
