package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.OpsConformance;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * The whole conformance suite on {@code --backend cpu-staged}: every method reaches the CPU
 * arithmetic through the staged storage (the suite writes and reads only by upload/download),
 * plus what makes it a check: the heap array of a buffer is NaN and stays so, and a host array
 * that is not one of its buffers is used as it is (gradient rows from the network).
 */
class StagedCpuOpsConformanceTest extends OpsConformance {
  @Override
  protected Ops create() {
    return new StagedCpuOps(new CpuOps(1));
  }

  @Test
  void heapArraysArePoisonAndNeverWritten() {
    Buf b = ops.alloc(5);
    ops.upload(new float[] {1, 2, 3, 4, 5}, 0, b, 0, 5);
    ops.scale(b, 2);
    float[] back = new float[5];
    ops.download(b, 0, back, 0, 5);
    assertEquals(10f, back[4]);
    for (float v : ((FloatBuf) b).array()) {
      assertTrue(Float.isNaN(v), "the heap array is not the buffer's storage");
    }
    assertNull(ops.hostArray(b));
    assertTrue(((StagedCpuOps) ops).owns(b.slice(1, 2)));
    float[] rows = {1, 2, 3};
    FloatBuf foreign = new FloatBuf(rows);
    ops.axpy(1, foreign, b.slice(0, 3)); // a host array as an operand
    ops.scale(foreign, 3);
    assertEquals(9f, rows[2], "a foreign host array is written in place");
    ops.download(b, 0, back, 0, 3);
    assertEquals(9f, back[2], "6 + 3");
  }
}
