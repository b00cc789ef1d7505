package org.pscreen2vec.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The LSTM through {@code Ops.lstmCellForward/Backward} (one call per step) against the same
 * LSTM composed from element-wise kernels ({@code -Dpscreen2vec.fused=false}): on the CPU
 * backend bitwise equal final states, input gradients and parameter gradients (the fused CPU
 * kernel does the same float operations in the same order; compared as values, so +0 and -0
 * are equal); on the double reference within 1e-12.
 */
class FusedLstmTest {
  private record Out(double[] last, double[] dx, double[] grads) {}

  private static Out run(Ops ops, boolean fused) {
    String old = System.getProperty("pscreen2vec.fused");
    System.setProperty("pscreen2vec.fused", Boolean.toString(fused));
    Lstm lstm;
    ParameterStore store;
    try {
      ParameterStore.Builder sb = new ParameterStore.Builder();
      lstm = new Lstm(ops, sb, "lstm", 7, 5);
      store = sb.build(ops, 4);
    } finally {
      if (old == null) {
        System.clearProperty("pscreen2vec.fused");
      } else {
        System.setProperty("pscreen2vec.fused", old);
      }
    }
    Random r = new Random(9);
    int steps = 6;
    int[] lengths = {3, 6, 0, 1, 6, 2, 4};
    Buf x = ops.alloc(steps * lengths.length * 7);
    float[] xs = new float[x.length()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = (float) r.nextGaussian();
    }
    ops.upload(xs, 0, x, 0, xs.length);
    Buf v = store.values();
    for (int i = 0; i < v.length(); i++) {
      v.set(i, v.get(i) + 0.3 * r.nextGaussian()); // non-zero biases
    }
    Buf dLast = ops.alloc(lengths.length * 5);
    float[] ds = new float[dLast.length()];
    for (int i = 0; i < ds.length; i++) {
      ds[i] = (float) r.nextGaussian();
    }
    ops.upload(ds, 0, dLast, 0, ds.length);
    store.zeroGrads();
    Lstm.Tape tape = lstm.forward(x, steps, lengths.length, lengths);
    Buf dx = lstm.backward(tape, dLast);
    // host backends only: their buffers may be read element by element
    return new Out(tape.last().toDoubles(), dx.toDoubles(), store.grads().toDoubles());
  }

  @Test
  void cpuFusedCellIsBitwiseTheComposedCell() {
    Ops ops = CpuOps.plainJava();
    Out a = run(ops, true);
    Out b = run(ops, false);
    assertArrayEquals(b.last(), a.last(), 0, "final states");
    assertArrayEquals(b.dx(), a.dx(), 0, "input gradients");
    assertArrayEquals(b.grads(), a.grads(), 0, "parameter gradients");
    assertEquals(true, b.grads().length > 0);
  }

  @Test
  void referenceFusedCellMatchesTheComposedCell() {
    Ops ops = new ReferenceOps();
    Out a = run(ops, true);
    Out b = run(ops, false);
    assertArrayEquals(b.last(), a.last(), 1e-12, "final states");
    assertArrayEquals(b.dx(), a.dx(), 1e-12, "input gradients");
    assertArrayEquals(b.grads(), a.grads(), 1e-12, "parameter gradients");
  }
}
