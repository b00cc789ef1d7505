package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * LSTM over padded time-major sequences (the trace combiner). Gates i, f, g, o are column blocks
 * of one (batch, 4h) pre-activation: a = x_t W + h U + b. Rows past their length keep h and c.
 */
public final class Lstm {
  private final Ops ops;
  private final int in;
  private final int hidden;
  private final DenseParam w; // (in, 4 hidden)
  private final DenseParam u; // (hidden, 4 hidden)
  private final DenseParam b; // (1, 4 hidden)

  /** One step's cached values, each (batch, hidden). */
  record Step(Buf i, Buf f, Buf g, Buf o, Buf tc, Buf hPrev, Buf cPrev) {}

  /** Everything backward needs; {@link #last()} is the final hidden state (batch, hidden). */
  public record Tape(Buf x, int steps, int batch, boolean[][] keep, Step[] cache, Buf lastH) {
    public Buf last() {
      return lastH;
    }
  }

  public Lstm(Ops ops, ParameterStore.Builder store, String name, int in, int hidden) {
    this.ops = ops;
    this.in = in;
    this.hidden = hidden;
    this.w = store.add(name + ".w", in, 4 * hidden, Init.xavier());
    this.u = store.add(name + ".u", hidden, 4 * hidden, Init.xavier());
    this.b = store.add(name + ".b", 1, 4 * hidden, Init.zeros());
  }

  public int hidden() {
    return hidden;
  }

  /** x(steps, batch, in) time-major and padded; lengths(batch) in 0..steps. */
  public Tape forward(Buf x, int steps, int batch, int[] lengths) {
    boolean[][] keep = Masks.keep(steps, lengths);
    int n = batch * hidden;
    Buf h = ops.alloc(n);
    Buf c = ops.alloc(n);
    Step[] cache = new Step[steps];
    for (int t = 0; t < steps; t++) {
      Buf a = ops.alloc(4 * n); // (batch, 4 hidden)
      ops.gemm(false, false, batch, 4 * hidden, in, 1, x.slice(t * batch * in, batch * in),
          w.value(), 0, a);
      ops.gemm(false, false, batch, 4 * hidden, hidden, 1, h, u.value(), 1, a);
      ops.addRowVector(a, batch, 4 * hidden, b.value());
      Buf gi = gate(a, batch, 0);
      Buf gf = gate(a, batch, 1);
      Buf gg = gate(a, batch, 2);
      Buf go = gate(a, batch, 3);
      ops.sigmoid(gi, gi);
      ops.sigmoid(gf, gf);
      ops.tanh(gg, gg);
      ops.sigmoid(go, go);
      Buf cNew = ops.alloc(n);
      ops.mul(gf, c, cNew);
      ops.mulAddInto(gi, gg, cNew);
      Buf tc = ops.alloc(n);
      ops.tanh(cNew, tc);
      Buf hNew = ops.alloc(n);
      ops.mul(go, tc, hNew);
      cache[t] = new Step(gi, gf, gg, go, tc, h, c);
      Buf h2 = ops.alloc(n);
      Buf c2 = ops.alloc(n);
      ops.selectRows(keep[t], hNew, h, h2, hidden);
      ops.selectRows(keep[t], cNew, c, c2, hidden);
      h = h2;
      c = c2;
    }
    return new Tape(x, steps, batch, keep, cache, h);
  }

  private Buf gate(Buf a, int batch, int k) {
    Buf out = ops.alloc(batch * hidden);
    ops.copyColumns(a, 4 * hidden, k * hidden, out, hidden, 0, batch, hidden);
    return out;
  }

  /** Adds parameter gradients; returns dx(steps, batch, in) for dLast(batch, hidden). */
  public Buf backward(Tape tape, Buf dLast) {
    int batch = tape.batch();
    int n = batch * hidden;
    Buf dx = ops.alloc(tape.steps() * batch * in);
    Buf dh = ops.alloc(n);
    ops.copy(dLast, dh);
    Buf dc = ops.alloc(n);
    for (int t = tape.steps() - 1; t >= 0; t--) {
      Step s = tape.cache()[t];
      boolean[] keep = tape.keep()[t];
      boolean[] pad = Masks.not(keep);
      Buf dhN = ops.alloc(n);
      ops.copy(dh, dhN);
      ops.zeroRows(keep, dhN, hidden);
      Buf dcN = ops.alloc(n);
      ops.copy(dc, dcN);
      ops.zeroRows(keep, dcN, hidden);
      ops.zeroRows(pad, dh, hidden); // what padded rows carry straight back
      ops.zeroRows(pad, dc, hidden);
      // h = o * tc, tc = tanh(c)
      Buf dO = ops.alloc(n);
      ops.mul(dhN, s.tc(), dO);
      Buf dtc = ops.alloc(n);
      ops.mul(dhN, s.o(), dtc);
      ops.tanhBackward(s.tc(), dtc, dtc);
      ops.axpy(1, dtc, dcN);
      // c = f * cPrev + i * g
      Buf dI = ops.alloc(n);
      ops.mul(dcN, s.g(), dI);
      Buf dG = ops.alloc(n);
      ops.mul(dcN, s.i(), dG);
      Buf dF = ops.alloc(n);
      ops.mul(dcN, s.cPrev(), dF);
      ops.mulAddInto(dcN, s.f(), dc);
      ops.sigmoidBackward(s.i(), dI, dI);
      ops.sigmoidBackward(s.f(), dF, dF);
      ops.tanhBackward(s.g(), dG, dG);
      ops.sigmoidBackward(s.o(), dO, dO);
      Buf da = ops.alloc(4 * n); // (batch, 4 hidden)
      Buf[] parts = {dI, dF, dG, dO};
      for (int k = 0; k < 4; k++) {
        ops.copyColumns(parts[k], hidden, 0, da, 4 * hidden, k * hidden, batch, hidden);
      }
      Buf xt = tape.x().slice(t * batch * in, batch * in);
      ops.gemm(true, false, in, 4 * hidden, batch, 1, xt, da, 1, w.grad());
      ops.gemm(true, false, hidden, 4 * hidden, batch, 1, s.hPrev(), da, 1, u.grad());
      ops.sumRowsInto(da, batch, 4 * hidden, b.grad());
      ops.gemm(false, true, batch, in, 4 * hidden, 1, da, w.value(), 0,
          dx.slice(t * batch * in, batch * in));
      ops.gemm(false, true, batch, hidden, 4 * hidden, 1, da, u.value(), 1, dh);
    }
    return dx;
  }
}
