package org.pscreen2vec.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.cuda.StagedCpuOps;

/**
 * The host side of a table: zero-copy on a CPU backend (the live arrays), explicit copies of
 * exactly the asked rows on a backend without host arrays ({@link StagedCpuOps}, whose heap
 * memory is NaN: a value that arrives without a copy would be NaN). Expected values are exact:
 * only copies of floats happen.
 */
class EmbeddingTableHostTest {
  private static final int ROWS = 10;
  private static final int DIM = 3;

  private static float[] onDevice(Ops ops, EmbeddingTable t) {
    float[] a = new float[ROWS * DIM];
    ops.download(t.values(), 0, a, 0, a.length);
    return a;
  }

  @Test
  void cpuHostSideIsTheLiveTable() {
    Ops ops = CpuOps.plainJava();
    EmbeddingTable t = new EmbeddingTable(ops, "E", ROWS, DIM, 0.5, 1);
    assertSame(ops.hostArray(t.values()), t.hostValues(), "no mirror on the CPU");
    assertSame(t.hostValues(), t.valueArray());
    t.slotsFor(new int[] {4, 4, 9});
    SparseGradients g = t.sparseGradients();
    assertSame(((FloatBuf) t.gradRows()).array(), g.rows(), "the live gradient rows");
    assertSame(t.hostValues(), g.values());
  }

  @Test
  void stagedTableMovesExactlyTheAskedRows() {
    Ops cpu = CpuOps.plainJava();
    Ops ops = new StagedCpuOps(CpuOps.plainJava());
    EmbeddingTable want = new EmbeddingTable(cpu, "E", ROWS, DIM, 0.5, 1);
    EmbeddingTable t = new EmbeddingTable(ops, "E", ROWS, DIM, 0.5, 1);
    assertArrayEquals(want.valueArray(), t.valueArray(), "same initial values, via download");
    float[] before = onDevice(ops, t);

    float[] h = t.hostValues();
    for (int id : new int[] {2, 3, 7}) {
      Arrays.fill(h, id * DIM, id * DIM + DIM, 100f + id);
    }
    Arrays.fill(h, 5 * DIM, 5 * DIM + DIM, -1f); // changed on the host, not sent
    t.rowsFromHost(new int[] {2, 3, 7}, 3);
    float[] now = onDevice(ops, t);
    for (int r = 0; r < ROWS; r++) {
      for (int j = 0; j < DIM; j++) {
        float expect = r == 2 || r == 3 || r == 7 ? 100f + r : before[r * DIM + j];
        assertEquals(expect, now[r * DIM + j], 0, "row " + r);
      }
    }

    Buf row8 = t.values().slice(8 * DIM, DIM);
    ops.fill(row8, 7); // an update on the device
    ops.fill(t.values().slice(0, DIM), 9); // another one, not asked for below
    t.rowsToHost(new int[] {8, 9}, 1); // count 1: row 8 only
    assertEquals(7f, h[8 * DIM + 2], 0, "row 8 came back");
    assertEquals(before[0], h[0], 0, "row 0 was not asked for");
    assertThrows(IndexOutOfBoundsException.class, () -> t.rowsFromHost(new int[] {9, 10}, 2));
  }

  @Test
  void stagedSparseGradientsDownloadTheTouchedRows() {
    Ops ops = new StagedCpuOps(CpuOps.plainJava());
    EmbeddingTable t = new EmbeddingTable(ops, "E", ROWS, DIM, 0.5, 1);
    for (int step = 0; step < 2; step++) {
      t.zeroGrad();
      int[] slots = t.slotsFor(step == 0 ? new int[] {4, 4, 9} : new int[] {1});
      Buf g = t.gradRows();
      float[] rows = new float[g.length()];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = step * 10 + i;
      }
      ops.upload(rows, 0, g, 0, rows.length);
      SparseGradients s = t.sparseGradients();
      assertEquals(step == 0 ? 2 : 1, s.count());
      assertArrayEquals(rows, Arrays.copyOf(s.rows(), s.count() * DIM), "step " + step);
      assertEquals(step == 0 ? 4 : 1, s.ids()[slots[0]]);
    }
  }
}
