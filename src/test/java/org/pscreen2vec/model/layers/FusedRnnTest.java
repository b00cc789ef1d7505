package org.pscreen2vec.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * The CPU backend's fused bias + tanh and tanh backward + bias gradient in the screen RNN give
 * bitwise the unfused kernels' states, input gradients and parameter gradients
 * ({@code -Dpscreen2vec.fused=false} is the unfused path).
 */
class FusedRnnTest {
  private record Out(double[] last, double[] dx, double[] grads) {}

  private static Out run(Ops ops, boolean fused) {
    String old = System.getProperty("pscreen2vec.fused");
    System.setProperty("pscreen2vec.fused", Boolean.toString(fused));
    ElmanRnn rnn;
    ParameterStore store;
    try {
      ParameterStore.Builder sb = new ParameterStore.Builder();
      rnn = new ElmanRnn(ops, sb, "rnn", 7, 5);
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
    for (int i = 0; i < x.length(); i++) {
      x.set(i, r.nextGaussian());
    }
    Buf v = store.values();
    for (int i = 0; i < v.length(); i++) {
      v.set(i, v.get(i) + 0.3 * r.nextGaussian()); // non-zero biases
    }
    Buf dLast = ops.alloc(lengths.length * 5);
    for (int i = 0; i < dLast.length(); i++) {
      dLast.set(i, r.nextGaussian());
    }
    store.zeroGrads();
    ElmanRnn.Tape tape = rnn.forward(x, steps, lengths.length, lengths);
    Buf dx = rnn.backward(tape, dLast);
    return new Out(tape.last().toDoubles(), dx.toDoubles(), store.grads().toDoubles());
  }

  @Test
  void fusedKernelsGiveTheUnfusedResultBitwise() {
    Ops ops = CpuOps.plainJava();
    Out a = run(ops, true);
    Out b = run(ops, false);
    assertArrayEquals(b.last(), a.last(), 0.0, "final states");
    assertArrayEquals(b.dx(), a.dx(), 0.0, "input gradients");
    assertArrayEquals(b.grads(), a.grads(), 0.0, "parameter gradients");
  }
}
