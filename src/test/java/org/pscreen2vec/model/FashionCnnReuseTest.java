package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * {@link FashionCnn} keeps its activations, their gradients and the pooling layers' argmax
 * arrays between steps (issue 15): a model that has just run a larger batch, a smaller one or an
 * evaluation batch (one too large to keep: buffers of its own) gives bitwise the loss, gradients
 * and logits of a fresh model with the same seed, on the CPU training backend (direct
 * convolution). Batches of 37 and 5 images fill no group of 16 of the direct kernel exactly.
 */
class FashionCnnReuseTest {
  private static final int SIDE = 28;
  private static final int C1 = 2;
  private static final int C2 = 3;
  private final Ops ops = new CpuOps(1);

  private FashionCnn model() {
    return new FashionCnn(ops, SIDE, C1, C2, 10, 11);
  }

  private record Batch(Buf x, int[] labels, int n) {}

  private Batch batch(long seed, int n) {
    Random r = new Random(seed);
    Buf x = ops.alloc(n * SIDE * SIDE);
    for (int i = 0; i < x.length(); i++) {
      x.set(i, r.nextFloat());
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(10);
    }
    return new Batch(x, labels, n);
  }

  private record Step(double loss, float[] grads) {}

  private static Step step(FashionCnn m, Batch b) {
    m.parameters().zeroGrads();
    double loss = m.lossAndGradients(b.x(), b.labels(), b.n());
    Buf g = m.parameters().grads();
    float[] grads = new float[g.length()];
    for (int i = 0; i < grads.length; i++) {
      grads[i] = (float) g.get(i);
    }
    return new Step(loss, grads);
  }

  private static float[] logits(FashionCnn m, Batch b) {
    Buf l = m.logits(b.x(), b.n());
    float[] out = new float[l.length()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) l.get(i);
    }
    return out;
  }

  private static void assertSame(Step fresh, Step after, String what) {
    assertEquals(fresh.loss(), after.loss(), 0.0, what + ": loss");
    assertArrayEquals(fresh.grads(), after.grads(), what + ": gradients");
  }

  @Test
  void aStepAfterLargerSmallerAndEvaluationBatchesIsAFreshModelsStep() {
    Batch big = batch(1, 37);
    Batch small = batch(2, 5);
    // 1400 images: activations of 1400 x 28 x 28 x 2 floats, above the kept limit
    Batch eval = batch(3, 1400);
    assertTrue(eval.n() * SIDE * SIDE * C1 > FashionCnn.KEEP_LIMIT, "eval batch not kept");
    Step freshBig = step(model(), big);
    Step freshSmall = step(model(), small);
    float[] freshEval = logits(model(), eval);
    FashionCnn m = model();
    assertSame(freshBig, step(m, big), "first step");
    assertSame(freshSmall, step(m, small), "small after big");
    assertSame(freshBig, step(m, big), "big after small");
    assertArrayEquals(freshEval, logits(m, eval), "evaluation after training steps");
    assertSame(freshSmall, step(m, small), "small after evaluation");
    assertSame(freshBig, step(m, big), "big after evaluation");
    assertArrayEquals(logits(model(), small), logits(m, small), "small evaluation");
    assertSame(freshBig, step(m, big), "big after a small evaluation");
  }
}
