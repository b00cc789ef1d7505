package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * A step leaves nothing behind that changes the next one (issue 15 keeps the step's buffers in a
 * {@link org.pscreen2vec.ops.Workspace} between steps): a model that has just run a larger or a
 * smaller batch, or an evaluation, gives bitwise the loss and gradients of a fresh model with
 * the same seed on the next batch. The reused model's kept buffers are filled with NaN before
 * every step, so a value a step reads without writing it first (stale data from the last step)
 * turns its results into NaN instead of passing by luck. Both CPU paths (plain Java and the
 * native GEMM), and the layouts that take different buffers: the paper's (coordinates, no
 * layout part, description outside), joint with the decoder, and the description inside.
 */
class StepIsolationTest {
  static Stream<Arguments> cases() {
    Ops plain = CpuOps.plainJava();
    Ops cpu = new CpuOps(1);
    List<Arguments> out = new ArrayList<>();
    for (Ops ops : List.of(plain, cpu)) {
      out.add(Arguments.of(ops, Screen2Vec.LayoutMode.JOINT, 0.5, true, false));
      out.add(Arguments.of(ops, Screen2Vec.LayoutMode.NONE, 0.0, true, false));
      out.add(Arguments.of(ops, Screen2Vec.LayoutMode.JOINT, 0.0, false, true));
    }
    return out.stream();
  }

  private Screen2Vec.WindowBatch batch(Featurizer f, long seed, int traces, int maxContext,
      boolean layout) {
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
    return layout
        ? f.windows(out, neg, TestScreens.descriptions(), Screen::layout, Screen.LAYOUT_SIZE)
        : f.windows(out, neg, TestScreens.descriptions(), null, 0);
  }

  private static Screen2Vec model(Ops ops, Screen2Vec.LayoutMode mode, double aeWeight,
      boolean coords, boolean descInside) {
    return new Screen2Vec(ops, new Screen2Vec.Config(8, 2, 64,
        new int[] {Screen.LAYOUT_SIZE, 6, 3}, mode, aeWeight, coords, descInside), 5);
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

  @ParameterizedTest
  @MethodSource("cases")
  void aStepAfterALargerOrSmallerOneIsAFreshModelsStep(Ops ops, Screen2Vec.LayoutMode mode,
      double aeWeight, boolean coords, boolean descInside) {
    boolean layout = mode != Screen2Vec.LayoutMode.NONE;
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 6);
    Screen2Vec.WindowBatch big = batch(f, 31, 5, 3, layout);
    Screen2Vec.WindowBatch small = batch(f, 32, 2, 2, layout);
    Grads freshBig = step(model(ops, mode, aeWeight, coords, descInside), big);
    Grads freshSmall = step(model(ops, mode, aeWeight, coords, descInside), small);
    Screen2Vec m = model(ops, mode, aeWeight, coords, descInside);
    m.workspace().poisonOnBegin(true);
    assertSame(freshBig, step(m, big), "first step");
    assertTrue(m.workspace().heldElements() > 0, "the step kept no buffers: nothing tested");
    assertSame(freshSmall, step(m, small), "small after big");
    assertSame(freshBig, step(m, big), "big after small");
    assertSame(freshBig, step(m, big), "big twice");
    m.evaluate(small); // evaluation in between must not disturb training buffers either
    assertSame(freshSmall, step(m, small), "small after an evaluation");
  }

  /** Embeddings handed to a caller are the caller's: the next training step does not reuse them. */
  @ParameterizedTest
  @MethodSource("cases")
  void embeddingsSurviveTheNextStep(Ops ops, Screen2Vec.LayoutMode mode, double aeWeight,
      boolean coords, boolean descInside) {
    boolean layout = mode != Screen2Vec.LayoutMode.NONE;
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 6);
    Screen2Vec.WindowBatch big = batch(f, 31, 5, 3, layout);
    Screen2Vec m = model(ops, mode, aeWeight, coords, descInside);
    step(m, big); // the workspace holds this batch's buffers from here on
    Buf emb = m.embed(big.screens());
    Buf pred = m.predict(big);
    double[] embBefore = emb.toDoubles();
    double[] predBefore = pred.toDoubles();
    m.workspace().poisonOnBegin(true);
    step(m, big);
    assertArrayEquals(embBefore, emb.toDoubles(), 0.0, "embeddings after a step");
    assertArrayEquals(predBefore, pred.toDoubles(), 0.0, "predictions after a step");
  }
}
