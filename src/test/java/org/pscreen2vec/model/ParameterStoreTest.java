package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.model.layers.EmbeddingBag;
import org.pscreen2vec.model.layers.TokenBags;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

class ParameterStoreTest {
  private final Ops ops = CpuOps.plainJava();

  @Test
  void paramsAreViewsOfOneFlatBuffer() {
    ParameterStore.Builder b = new ParameterStore.Builder();
    DenseParam w = b.add("w", 3, 4, Init.xavier());
    DenseParam bias = b.add("b", 1, 4, Init.zeros());
    ParameterStore s = b.build(ops, 5);
    assertEquals(16, s.size());
    assertEquals(12, bias.offset());
    w.grad().set(5, 2.5);
    bias.value().set(1, 7);
    assertEquals(2.5f, s.gradArray()[5]);
    assertEquals(7f, s.valueArray()[13]);
    DenseGradients d = s.denseGradients();
    assertSame(s.gradArray(), d.grads(), "the live buffer, not a copy");
    s.zeroGrads();
    assertEquals(0f, s.gradArray()[5]);
  }

  @Test
  void initializationDependsOnSeedAndNameNotOrder() {
    ParameterStore.Builder b1 = new ParameterStore.Builder();
    DenseParam a1 = b1.add("a", 2, 3, Init.xavier());
    b1.add("c", 2, 2, Init.xavier());
    b1.build(ops, 9);
    ParameterStore.Builder b2 = new ParameterStore.Builder();
    b2.add("c", 2, 2, Init.xavier());
    DenseParam a2 = b2.add("a", 2, 3, Init.xavier());
    b2.build(ops, 9);
    assertArrayEquals(a1.value().toDoubles(), a2.value().toDoubles());
    ParameterStore.Builder b3 = new ParameterStore.Builder();
    DenseParam a3 = b3.add("a", 2, 3, Init.xavier());
    b3.build(ops, 10);
    assertEquals(false, java.util.Arrays.equals(a1.value().toDoubles(), a3.value().toDoubles()));
  }

  @Test
  void duplicateNamesAndBadShapesFail() {
    ParameterStore.Builder b = new ParameterStore.Builder();
    b.add("w", 1, 1, Init.zeros());
    assertThrows(IllegalArgumentException.class, () -> b.add("w", 1, 1, Init.zeros()));
    assertThrows(IllegalArgumentException.class, () -> b.add("v", 0, 1, Init.zeros()));
  }

  @Test
  void sparseGradientsAreDeduplicatedRows() {
    EmbeddingTable t = new EmbeddingTable(ops, "text", 100, 2, 0.1, 1);
    EmbeddingBag bag = new EmbeddingBag(ops, t);
    t.zeroGrad();
    EmbeddingBag.Tape tape = bag.forward(TokenBags.of(new int[] {5, 9, 5}, new int[] {9}), true);
    Ops o = ops;
    org.pscreen2vec.ops.Buf d = o.alloc(4);
    o.fill(d, 1);
    bag.backward(tape, d);
    SparseGradients g = t.sparseGradients();
    assertEquals(2, g.count());
    assertEquals(5, g.ids()[0]);
    assertEquals(9, g.ids()[1]);
    assertEquals(2f / 3, g.rows()[0], 1e-6, "row 5: twice in a bag of three");
    assertEquals(1f / 3 + 1, g.rows()[2], 1e-6, "row 9: once in each bag");
    t.zeroGrad();
    assertEquals(0, t.sparseGradients().count());
    assertThrows(IndexOutOfBoundsException.class, () -> t.slotsFor(new int[] {100}));
  }

  @Test
  void textHasherIsStableAndBounded() {
    TextHasher h = new TextHasher(1000, 8);
    assertEquals(0, h.rows("").length);
    assertEquals(0, h.rows("  ,.!").length);
    int[] ok = h.rows("OK");
    assertEquals(3, ok.length, "one word and two trigrams of <ok>");
    assertArrayEquals(ok, h.rows("ok"));
    assertEquals(8, h.rows("a very long text with many many words").length);
    for (int r : h.rows("sign in with google")) {
      assertEquals(true, r >= 0 && r < 1000);
    }
  }
}
