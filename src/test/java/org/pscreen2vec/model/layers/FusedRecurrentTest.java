package org.pscreen2vec.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The recurrent layers through their fused {@code Ops} steps (the RNN's bias + tanh and tanh
 * backward + bias gradient, the LSTM's cell forward and backward) against the same layers composed
 * from element-wise kernels ({@code -Dpscreen2vec.fused=false}): on the CPU backend bitwise equal
 * final states, input gradients and parameter gradients (the fused CPU kernels do the same float
 * operations in the same order; compared as values, so +0 and -0 are equal); on the double
 * reference within 1e-12.
 */
class FusedRecurrentTest {
  private record Out(double[] last, double[] dx, double[] grads) {}

  /** One layer's forward then backward on the given input and final-state gradient. */
  private interface Pass {
    Buf[] run(Buf x, int steps, int[] lengths, Buf dLast); // {last states, input gradient}
  }

  enum Layer {
    RNN {
      @Override
      Pass make(Ops ops, ParameterStore.Builder b) {
        ElmanRnn rnn = new ElmanRnn(ops, b, "rnn", 7, 5);
        return (x, steps, lengths, dLast) -> {
          ElmanRnn.Tape t = rnn.forward(x, steps, lengths.length, lengths);
          return new Buf[] {t.last(), rnn.backward(t, dLast)};
        };
      }
    },
    LSTM {
      @Override
      Pass make(Ops ops, ParameterStore.Builder b) {
        Lstm lstm = new Lstm(ops, b, "lstm", 7, 5);
        return (x, steps, lengths, dLast) -> {
          Lstm.Tape t = lstm.forward(x, steps, lengths.length, lengths);
          return new Buf[] {t.last(), lstm.backward(t, dLast)};
        };
      }
    };

    abstract Pass make(Ops ops, ParameterStore.Builder b); // input width 7, state width 5
  }

  private static Out run(Layer layer, Ops ops, boolean fused) {
    String old = System.getProperty("pscreen2vec.fused");
    System.setProperty("pscreen2vec.fused", Boolean.toString(fused)); // read at construction
    Pass pass;
    ParameterStore store;
    try {
      ParameterStore.Builder sb = new ParameterStore.Builder();
      pass = layer.make(ops, sb);
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
    Buf x = gaussian(ops, r, steps * lengths.length * 7);
    Buf v = store.values();
    for (int i = 0; i < v.length(); i++) {
      v.set(i, v.get(i) + 0.3 * r.nextGaussian()); // non-zero biases
    }
    Buf dLast = gaussian(ops, r, lengths.length * 5);
    store.zeroGrads();
    Buf[] out = pass.run(x, steps, lengths, dLast);
    // host backends only: their buffers may be read element by element
    return new Out(out[0].toDoubles(), out[1].toDoubles(), store.grads().toDoubles());
  }

  private static Buf gaussian(Ops ops, Random r, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) r.nextGaussian();
    }
    Buf b = ops.alloc(n);
    ops.upload(a, 0, b, 0, n);
    return b;
  }

  @ParameterizedTest
  @EnumSource(Layer.class)
  void cpuFusedStepsAreBitwiseTheComposedOnes(Layer layer) {
    Ops ops = CpuOps.plainJava();
    Out a = run(layer, ops, true);
    Out b = run(layer, ops, false);
    assertArrayEquals(b.last(), a.last(), 0, "final states");
    assertArrayEquals(b.dx(), a.dx(), 0, "input gradients");
    assertArrayEquals(b.grads(), a.grads(), 0, "parameter gradients");
    assertTrue(b.grads().length > 0);
  }

  @ParameterizedTest
  @EnumSource(Layer.class)
  void referenceFusedStepsMatchTheComposedOnes(Layer layer) {
    Ops ops = new ReferenceOps();
    Out a = run(layer, ops, true);
    Out b = run(layer, ops, false);
    assertArrayEquals(b.last(), a.last(), 1e-12, "final states");
    assertArrayEquals(b.dx(), a.dx(), 1e-12, "input gradients");
    assertArrayEquals(b.grads(), a.grads(), 1e-12, "parameter gradients");
  }
}
