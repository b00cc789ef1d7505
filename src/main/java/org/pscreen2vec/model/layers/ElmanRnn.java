package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * Elman RNN, h_t = tanh(x_t Wx + h_{t-1} Wh + b), over padded sequences: rows past their length
 * keep their state, so the final state is the state after each row's last real element (zero for
 * an empty sequence). Backpropagation through time in {@link #backward}.
 */
public final class ElmanRnn {
  private final Ops ops;
  private final int in;
  private final int hidden;
  private final DenseParam wx; // (in, hidden)
  private final DenseParam wh; // (hidden, hidden)
  private final DenseParam b;  // (1, hidden)

  /** Everything backward needs; {@link #last()} is the final state (batch, hidden). */
  public record Tape(Buf x, int steps, int batch, boolean[][] keep, Buf[] hNew, Buf[] h,
      Buf h0) {
    public Buf last() {
      return steps == 0 ? h0 : h[steps - 1];
    }

    Buf prev(int t) {
      return t == 0 ? h0 : h[t - 1];
    }
  }

  public ElmanRnn(Ops ops, ParameterStore.Builder store, String name, int in, int hidden) {
    this.ops = ops;
    this.in = in;
    this.hidden = hidden;
    this.wx = store.add(name + ".wx", in, hidden, Init.xavier());
    this.wh = store.add(name + ".wh", hidden, hidden, Init.xavier());
    this.b = store.add(name + ".b", 1, hidden, Init.zeros());
  }

  public int hidden() {
    return hidden;
  }

  /** x(steps, batch, in) time-major and padded; lengths(batch) in 0..steps. */
  public Tape forward(Buf x, int steps, int batch, int[] lengths) {
    boolean[][] keep = Masks.keep(steps, lengths);
    Buf h0 = ops.alloc(batch * hidden);
    Buf[] hNew = new Buf[steps]; // (batch, hidden) tanh output at t
    Buf[] h = new Buf[steps];    // (batch, hidden) state after t (masked rows carried)
    for (int t = 0; t < steps; t++) {
      Buf prev = t == 0 ? h0 : h[t - 1];
      Buf z = ops.alloc(batch * hidden);
      ops.gemm(false, false, batch, hidden, in, 1, x.slice(t * batch * in, batch * in),
          wx.value(), 0, z);
      ops.gemm(false, false, batch, hidden, hidden, 1, prev, wh.value(), 1, z);
      ops.addRowVector(z, batch, hidden, b.value());
      ops.tanh(z, z);
      hNew[t] = z;
      h[t] = ops.alloc(batch * hidden);
      ops.selectRows(keep[t], z, prev, h[t], hidden);
    }
    return new Tape(x, steps, batch, keep, hNew, h, h0);
  }

  /** Adds parameter gradients; returns dx(steps, batch, in) for dLast(batch, hidden). */
  public Buf backward(Tape tape, Buf dLast) {
    int batch = tape.batch();
    Buf dx = ops.alloc(tape.steps() * batch * in);
    Buf dh = ops.alloc(batch * hidden);
    ops.copy(dLast, dh);
    for (int t = tape.steps() - 1; t >= 0; t--) {
      boolean[] keep = tape.keep()[t];
      Buf dz = ops.alloc(batch * hidden);
      ops.copy(dh, dz);
      ops.zeroRows(keep, dz, hidden);          // only real rows went through the cell
      ops.zeroRows(Masks.not(keep), dh, hidden); // padded rows pass their gradient straight back
      ops.tanhBackward(tape.hNew()[t], dz, dz);
      Buf xt = tape.x().slice(t * batch * in, batch * in);
      ops.gemm(true, false, in, hidden, batch, 1, xt, dz, 1, wx.grad());
      ops.gemm(true, false, hidden, hidden, batch, 1, tape.prev(t), dz, 1, wh.grad());
      ops.sumRowsInto(dz, batch, hidden, b.grad());
      ops.gemm(false, true, batch, in, hidden, 1, dz, wx.value(), 0,
          dx.slice(t * batch * in, batch * in));
      ops.gemm(false, true, batch, hidden, hidden, 1, dz, wh.value(), 1, dh);
    }
    return dx;
  }
}
