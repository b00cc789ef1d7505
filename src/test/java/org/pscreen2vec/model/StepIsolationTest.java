package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * A step leaves nothing behind that changes the next one (issue 15 reuses buffers between
 * steps): a model that has just run a larger or a smaller batch gives bitwise the loss and
 * gradients of a fresh model with the same seed on the next batch, on the CPU training backend.
 */
class StepIsolationTest {
  private final Ops ops = CpuOps.plainJava();

  private Screen2Vec.WindowBatch batch(Featurizer f, long seed, int traces, int maxContext) {
    List<List<Screen>> out = new ArrayList<>();
    for (Trace t : TestScreens.traces(seed, traces)) {
      for (int j = 1; j < t.screens().size(); j++) {
        out.add(t.screens().subList(Math.max(0, j - maxContext), j + 1));
      }
    }
    List<Screen> neg = new ArrayList<>();
    for (Trace t : TestScreens.traces(seed + 100, 2)) {
      neg.add(t.screens().get(0));
    }
    return f.windows(out, neg, TestScreens.descriptions(), Screen::layout, Screen.LAYOUT_SIZE);
  }

  private Screen2Vec model() {
    return new Screen2Vec(ops, new Screen2Vec.Config(8, 2, 64,
        new int[] {Screen.LAYOUT_SIZE, 6, 3}, Screen2Vec.LayoutMode.JOINT, 0.5, true, false), 5);
  }

  private record Grads(double loss, float[] dense, int[] ids, float[] rows) {}

  private static Grads step(Screen2Vec m, Screen2Vec.WindowBatch b) {
    m.zeroGrads();
    double loss = m.lossAndGradients(b).loss();
    float[] dense = new float[m.parameters().size()];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = (float) m.parameters().grads().get(i);
    }
    EmbeddingTable t = m.tables().get(0);
    float[] rows = new float[t.touched() * t.dim()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (float) t.gradRows().get(i);
    }
    return new Grads(loss, dense, t.touchedIds(), rows);
  }

  private static void assertSame(Grads fresh, Grads after, String what) {
    assertEquals(fresh.loss(), after.loss(), 0.0, what + ": loss");
    assertArrayEquals(fresh.dense(), after.dense(), what + ": dense gradients");
    assertArrayEquals(fresh.ids(), after.ids(), what + ": touched rows");
    assertArrayEquals(fresh.rows(), after.rows(), what + ": sparse gradient rows");
  }

  @Test
  void aStepAfterALargerOrSmallerOneIsAFreshModelsStep() {
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 6);
    Screen2Vec.WindowBatch big = batch(f, 31, 5, 3);
    Screen2Vec.WindowBatch small = batch(f, 32, 2, 2);
    Grads freshBig = step(model(), big);
    Grads freshSmall = step(model(), small);
    Screen2Vec m = model();
    assertSame(freshBig, step(m, big), "first step");
    assertSame(freshSmall, step(m, small), "small after big");
    assertSame(freshBig, step(m, big), "big after small");
    assertSame(freshBig, step(m, big), "big twice");
    m.evaluate(small); // evaluation in between must not disturb training buffers either
    assertSame(freshSmall, step(m, small), "small after an evaluation");
  }
}
