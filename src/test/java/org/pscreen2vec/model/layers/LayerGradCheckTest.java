package org.pscreen2vec.model.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.model.GradCheck;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.ref.ReferenceOps;

/** Every layer against central differences in double precision (loss = sum(out * R)). */
class LayerGradCheckTest {
  private final Ops ops = new ReferenceOps();
  private final Random rnd = new Random(7);

  private Buf random(int n) {
    Buf b = ops.alloc(n);
    for (int i = 0; i < n; i++) {
      b.set(i, rnd.nextGaussian());
    }
    return b;
  }

  private static double dot(Buf a, Buf b) {
    double s = 0;
    for (int i = 0; i < a.length(); i++) {
      s += a.get(i) * b.get(i);
    }
    return s;
  }

  @Test
  void linear() {
    ParameterStore.Builder sb = new ParameterStore.Builder();
    Linear lin = new Linear(ops, sb, "lin", 5, 3);
    ParameterStore store = sb.build(ops, 1);
    int rows = 4;
    Buf x = random(rows * 5);
    Buf r = random(rows * 3);
    store.zeroGrads();
    Buf dx = lin.backward(x, rows, r);
    java.util.function.DoubleSupplier loss = () -> dot(lin.forward(x, rows), r);
    GradCheck.checkStore(store, loss, 50, 1);
    GradCheck.check("x", x, dx, loss, 50, 2);
  }

  @Test
  void activations() {
    for (Activation a : Activation.values()) {
      Buf x = random(12);
      Buf r = random(12);
      Buf y = ops.alloc(12);
      a.forward(ops, x, y);
      Buf dx = ops.alloc(12);
      a.backward(ops, y, r, dx);
      GradCheck.check(a.name(), x, dx, () -> {
        Buf yy = ops.alloc(12);
        a.forward(ops, x, yy);
        return dot(yy, r);
      }, 12, 3);
    }
  }

  @Test
  void classEmbeddingWithRepeatedIds() {
    ParameterStore.Builder sb = new ParameterStore.Builder();
    Embedding emb = new Embedding(ops, sb, "cls", 6, 3);
    ParameterStore store = sb.build(ops, 1);
    int[] ids = {2, 5, 2, 2, 0};
    Buf r = random(ids.length * 3);
    store.zeroGrads();
    emb.backward(ids, r);
    GradCheck.checkStore(store, () -> dot(emb.forward(ids), r), 100, 4);
    assertEquals(0.0, store.params().get(0).grad().get(1 * 3), "untouched row has no gradient");
  }

  @Test
  void embeddingBagWithEmptyBagsAndRepeatedRows() {
    EmbeddingTable table = new EmbeddingTable(ops, "text", 10, 4, 0.5, 3);
    EmbeddingBag bag = new EmbeddingBag(ops, table);
    TokenBags bags = TokenBags.of(new int[] {1, 3, 3}, new int[] {}, new int[] {7},
        new int[] {3, 1, 1, 1, 9}, new int[] {});
    Buf r = random(bags.count() * 4);
    table.zeroGrad();
    EmbeddingBag.Tape tape = bag.forward(bags, true);
    bag.backward(tape, r);
    assertEquals(4, table.touched(), "distinct rows 1, 3, 7, 9");
    for (int j = 0; j < 4; j++) {
      assertEquals(0.0, tape.out().get(1 * 4 + j), "an empty bag is zero");
    }
    GradCheck.checkTable(table, () -> dot(bag.forward(bags, false).out(), r), 16, 5);
  }

  @Test
  void elmanRnnWithPaddingAndEmptySequences() {
    ParameterStore.Builder sb = new ParameterStore.Builder();
    ElmanRnn rnn = new ElmanRnn(ops, sb, "rnn", 3, 4);
    ParameterStore store = sb.build(ops, 2);
    int steps = 4;
    int batch = 4;
    int[] lengths = {4, 2, 0, 1};
    Buf x = random(steps * batch * 3);
    Buf r = random(batch * 4);
    store.zeroGrads();
    ElmanRnn.Tape tape = rnn.forward(x, steps, batch, lengths);
    Buf dx = rnn.backward(tape, r);
    java.util.function.DoubleSupplier loss =
        () -> dot(rnn.forward(x, steps, batch, lengths).last(), r);
    GradCheck.checkStore(store, loss, 40, 6);
    GradCheck.check("x", x, dx, loss, x.length(), 7); // every x, padded positions included
    for (int j = 0; j < 4; j++) {
      assertEquals(0.0, tape.last().get(2 * 4 + j), "an empty sequence ends in the zero state");
    }
  }

  @Test
  void lstmWithPaddingAndEmptySequences() {
    ParameterStore.Builder sb = new ParameterStore.Builder();
    Lstm lstm = new Lstm(ops, sb, "lstm", 3, 2);
    ParameterStore store = sb.build(ops, 3);
    int steps = 3;
    int batch = 4;
    int[] lengths = {3, 1, 0, 2};
    Buf x = random(steps * batch * 3);
    Buf r = random(batch * 2);
    store.zeroGrads();
    Lstm.Tape tape = lstm.forward(x, steps, batch, lengths);
    Buf dx = lstm.backward(tape, r);
    java.util.function.DoubleSupplier loss =
        () -> dot(lstm.forward(x, steps, batch, lengths).last(), r);
    GradCheck.checkStore(store, loss, 40, 8);
    GradCheck.check("x", x, dx, loss, x.length(), 9);
  }

  @Test
  void convAndPool() {
    ParameterStore.Builder sb = new ParameterStore.Builder();
    Conv2d conv = new Conv2d(ops, sb, "conv", 2, 3, 3);
    MaxPool2 pool = new MaxPool2(ops);
    ParameterStore store = sb.build(ops, 4);
    int n = 2;
    int h = 4;
    int w = 6;
    Buf x = random(n * h * w * 2);
    Buf r = random(n * 2 * 3 * 3);
    java.util.function.DoubleSupplier loss = () -> {
      Buf y = ops.alloc(n * h * w * 3);
      conv.forward(x, n, h, w, y);
      Buf p = ops.alloc(n * 2 * 3 * 3);
      pool.forward(y, n, h, w, 3, p);
      return dot(p, r);
    };
    store.zeroGrads();
    Buf y = ops.alloc(n * h * w * 3);
    Conv2d.Tape ct = conv.forward(x, n, h, w, y);
    Buf p = ops.alloc(n * 2 * 3 * 3);
    MaxPool2.Tape pt = pool.forward(y, n, h, w, 3, p);
    Buf dy = ops.alloc(y.length());
    pool.backward(pt, r, dy);
    Buf dx = ops.alloc(x.length());
    conv.backward(ct, dy, dx);
    GradCheck.checkStore(store, loss, 60, 10);
    GradCheck.check("x", x, dx, loss, x.length(), 11);
  }

  @Test
  void softmaxCrossEntropyOverCandidates() {
    int rows = 3;
    int cols = 5;
    Buf logits = random(rows * cols);
    int[] targets = {0, 4, 2};
    boolean[] allowed = new boolean[rows * cols];
    java.util.Arrays.fill(allowed, true);
    allowed[1] = false; // row 0 must not see column 1
    allowed[2 * cols + 4] = false;
    SoftmaxCrossEntropy.Result res =
        SoftmaxCrossEntropy.apply(ops, logits, rows, cols, targets, allowed, 1);
    assertEquals(0.0, res.dLogits().get(1), "a disallowed candidate gets no gradient");
    GradCheck.check("logits", logits, res.dLogits(), () -> SoftmaxCrossEntropy.apply(ops,
        logits, rows, cols, targets, allowed, 1).loss(), rows * cols, 12);
  }

  @Test
  void meanSquaredError() {
    Buf p = random(7);
    Buf t = random(7);
    MeanSquaredError.Result res = MeanSquaredError.apply(ops, p, t, 0.5);
    GradCheck.check("pred", p, res.dPred(),
        () -> 0.5 * MeanSquaredError.apply(ops, p, t, 0.5).loss(), 7, 13);
  }
}
