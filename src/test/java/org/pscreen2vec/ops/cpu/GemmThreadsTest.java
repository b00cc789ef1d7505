package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;

/**
 * Thread defaults (issue 15): with an allowance of 2 BLAS threads, a product below
 * {@link CpuOps#PARALLEL_GEMM_MACS} runs on one thread and a larger one on two, and the same
 * product gives bitwise the same result every time whatever ran between (the thread count is a
 * function of the shape alone).
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
    CpuOps o = new CpuOps(2);
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
}
