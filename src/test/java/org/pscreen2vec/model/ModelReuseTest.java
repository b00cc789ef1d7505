package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * The layout autoencoder and UI2Vec keep their step's buffers too ({@link StepIsolationTest}
 * for Screen2Vec): after a larger batch, a smaller one or an evaluation, a model whose kept
 * buffers are NaN-poisoned before every step gives bitwise the loss and gradients of a fresh
 * model with the same seed; an encoding handed out survives the next step.
 */
class ModelReuseTest {
  private final Ops ops = new CpuOps(1);

  private record Step(double loss, float[] grads) {}

  private static <B> Step step(Model m, B batch, ToDoubleFunction<B> loss) {
    m.zeroGrads();
    double l = loss.applyAsDouble(batch);
    Buf g = m.parameters().grads();
    float[] grads = new float[g.length()];
    for (int i = 0; i < grads.length; i++) {
      grads[i] = (float) g.get(i);
    }
    return new Step(l, grads);
  }

  private static void assertSame(Step fresh, Step after, String what) {
    assertEquals(fresh.loss(), after.loss(), 0.0, what + ": loss");
    assertArrayEquals(fresh.grads(), after.grads(), what + ": gradients");
  }

  private record Layouts(Buf x, int n) {}

  private Layouts layouts(long seed, int n, int width) {
    Random r = new Random(seed);
    Buf x = ops.alloc(n * width);
    for (int i = 0; i < x.length(); i++) {
      x.set(i, r.nextInt(3) == 0 ? 1 : 0);
    }
    return new Layouts(x, n);
  }

  @Test
  void layoutAutoencoderStepsAreAFreshModelsSteps() {
    int[] sizes = {40, 12, 6, 3};
    Layouts big = layouts(1, 9, sizes[0]);
    Layouts small = layouts(2, 4, sizes[0]);
    LayoutAutoencoder m = new LayoutAutoencoder(ops, sizes, 7);
    ToDoubleFunction<Layouts> loss = b -> m.lossAndGradients(b.x(), b.n());
    LayoutAutoencoder f1 = new LayoutAutoencoder(ops, sizes, 7);
    LayoutAutoencoder f2 = new LayoutAutoencoder(ops, sizes, 7);
    Step freshBig = step(f1, big, b -> f1.lossAndGradients(b.x(), b.n()));
    Step freshSmall = step(f2, small, b -> f2.lossAndGradients(b.x(), b.n()));
    m.workspace().poisonOnBegin(true);
    assertSame(freshBig, step(m, big, loss), "first step");
    assertTrue(m.workspace().heldElements() > 0, "the step kept no buffers: nothing tested");
    Buf code = m.encode(small.x(), small.n());
    double[] codeBefore = code.toDoubles();
    assertSame(freshSmall, step(m, small, loss), "small after big");
    m.reconstructionError(big.x(), big.n());
    assertSame(freshBig, step(m, big, loss), "big after small and an evaluation");
    assertArrayEquals(codeBefore, code.toDoubles(), 0.0, "an encoding after two steps");
  }

  private static Ui2Vec.Batch components(Featurizer f, long seed, int traces, int nearest) {
    List<Screen> screens = new ArrayList<>();
    List<Integer> comps = new ArrayList<>();
    Random r = new Random(seed);
    for (Trace t : TestScreens.traces(seed, traces)) {
      for (Screen s : t.screens()) {
        screens.add(s);
        comps.add(r.nextInt(s.components().size()));
      }
    }
    return f.components(screens, comps.stream().mapToInt(Integer::intValue).toArray(),
        nearest);
  }

  @Test
  void ui2vecStepsAreAFreshModelsSteps() {
    for (Ui2Vec.Head head : Ui2Vec.Head.values()) {
      Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 16);
      Ui2Vec.Batch big = components(f, 9, 3, 3);
      Ui2Vec.Batch small = components(f, 10, 1, 3);
      Ui2Vec f1 = new Ui2Vec(ops, 4, 2, 64, head, 3, 1);
      Ui2Vec f2 = new Ui2Vec(ops, 4, 2, 64, head, 3, 1);
      Step freshBig = step(f1, big, b -> f1.lossAndGradients(b).loss());
      Step freshSmall = step(f2, small, b -> f2.lossAndGradients(b).loss());
      Ui2Vec m = new Ui2Vec(ops, 4, 2, 64, head, 3, 1);
      ToDoubleFunction<Ui2Vec.Batch> loss = b -> m.lossAndGradients(b).loss();
      m.workspace().poisonOnBegin(true);
      assertSame(freshBig, step(m, big, loss), head + ": first step");
      assertTrue(m.workspace().heldElements() > 0, head + ": nothing kept, nothing tested");
      assertSame(freshSmall, step(m, small, loss), head + ": small after big");
      m.evaluate(small);
      assertSame(freshBig, step(m, big, loss), head + ": big after small and an evaluation");
    }
  }
}
