package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.OpsConformance;

/** The CPU backend without native code (what parameter servers use): products in Java too. */
class JavaFloatConformanceTest extends OpsConformance {
  @Override
  protected Ops create() {
    return CpuOps.plainJava();
  }

  @Test
  void namedJavaFloat() {
    assertEquals("java-float", ops.name());
  }
}
