package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.OpsConformance;

/** The CPU training backend (float kernels, ND4J GEMM above {@link CpuOps#SMALL_GEMM}). */
class CpuOpsConformanceTest extends OpsConformance {
  @Override
  protected Ops create() {
    return new CpuOps(1);
  }

  @Test
  void nd4jLoadedAndLargeProductsUseIt() {
    assertEquals("cpu-nd4j", ops.name(), "ND4J's native backend loaded");
    assertEquals(1, ((CpuOps) ops).threads());
    // the suite's products from 33 x 35 x 37 up are above the threshold, so ND4J's path is tested
    assertEquals(true, 33L * 35 * 37 >= CpuOps.SMALL_GEMM);
  }

  @Test
  void badArgumentsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new CpuOps(0));
    Ops reference = new org.pscreen2vec.ops.ref.ReferenceOps();
    assertThrows(IllegalArgumentException.class,
        () -> ops.fill(reference.alloc(3), 1), "a buffer of another backend");
  }
}
