package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

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
  /**
   * Whether a step is one {@link Ops#lstmCellForward}/{@link Ops#lstmCellBackward} call (one
   * kernel launch on a GPU; on the CPU bitwise the composed element-wise kernels) instead of
   * about a dozen element-wise calls; {@code -Dpscreen2vec.fused=false} composes (comparison).
   */
  private final boolean fused;
  private Workspace ws;

  /**
   * One step's cached values, each (batch, hidden); fused: gates (batch, 4 hidden) holds the
   * activations [i f g o] and c the new cell state, the other fields are null.
   */
  record Step(Buf i, Buf f, Buf g, Buf o, Buf tc, Buf cPrev, Buf gates, Buf c) {}

  /**
   * Everything backward needs; {@link #last()} is the final hidden state (batch, hidden),
   * hPrevAll (steps, batch, hidden) the state each step started from.
   */
  public record Tape(Buf x, int steps, int batch, boolean[][] keep, Step[] cache, Buf lastH,
      Buf hPrevAll) {
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
    this.fused = Boolean.parseBoolean(System.getProperty("pscreen2vec.fused", "true"));
    this.ws = Workspace.none(ops);
  }

  /** Where forward and backward take their tapes and gradients from (default: fresh buffers). */
  public void workspace(Workspace w) {
    this.ws = w;
  }

  public int hidden() {
    return hidden;
  }

  /**
   * x(steps, batch, in) time-major and padded; lengths(batch) in 0..steps. The input products of
   * all steps are one product, (steps batch, in) x (in, 4 hidden), before the recurrence; only
   * h U is per step (it needs the previous step's h). The per-step products of 32 rows ran at a
   * third of the GEMM rate of the large ones on the CPU (docs/PERFORMANCE.md).
   */
  public Tape forward(Buf x, int steps, int batch, int[] lengths) {
    boolean[][] keep = Masks.keep(steps, lengths);
    int n = batch * hidden;
    // (steps, batch, 4 hidden), all of it written by the product
    Buf gatesAll = ws.overwritten(steps * 4 * n);
    ops.gemm(false, false, steps * batch, 4 * hidden, in, 1, x.slice(0, steps * batch * in),
        w.value(), 0, gatesAll);
    // row block t: the h step t starts from (block 0 the zero state), so that backward forms
    // U's gradient as one product over all steps
    Buf hPrevAll = ws.zeroed(steps * n);
    Buf h = steps > 0 ? hPrevAll.slice(0, n) : ws.zeroed(n);
    Buf c = ws.zeroed(n);
    Step[] cache = new Step[steps];
    for (int t = 0; t < steps; t++) {
      Buf a = gatesAll.slice(t * 4 * n, 4 * n); // (batch, 4 hidden): x_t W, from here + h U + b
      ops.gemm(false, false, batch, 4 * hidden, hidden, 1, h, u.value(), 1, a);
      ops.addRowVector(a, batch, 4 * hidden, b.value());
      Buf cNew = ws.zeroed(n);
      Buf hNew = ws.zeroed(n);
      if (fused) {
        ops.lstmCellForward(a, c, cNew, hNew, batch, hidden); // a: activations from here on
        cache[t] = new Step(null, null, null, null, null, c, a, cNew);
      } else {
        cache[t] = composedForward(a, batch, c, cNew, hNew);
      }
      Buf h2 = t + 1 < steps ? hPrevAll.slice((t + 1) * n, n) : ws.zeroed(n);
      Buf c2 = ws.zeroed(n);
      ops.selectRows(keep[t], hNew, h, h2, hidden);
      ops.selectRows(keep[t], cNew, c, c2, hidden);
      h = h2;
      c = c2;
    }
    return new Tape(x, steps, batch, keep, cache, h, hPrevAll);
  }

  /** The cell from element-wise kernels: writes cNew and hNew, returns the step's cache. */
  private Step composedForward(Buf a, int batch, Buf c, Buf cNew, Buf hNew) {
    int n = batch * hidden;
    Buf gi = gate(a, batch, 0);
    Buf gf = gate(a, batch, 1);
    Buf gg = gate(a, batch, 2);
    Buf go = gate(a, batch, 3);
    ops.sigmoid(gi, gi);
    ops.sigmoid(gf, gf);
    ops.tanh(gg, gg);
    ops.sigmoid(go, go);
    ops.mul(gf, c, cNew);
    ops.mulAddInto(gi, gg, cNew);
    Buf tc = ws.zeroed(n);
    ops.tanh(cNew, tc);
    ops.mul(go, tc, hNew);
    return new Step(gi, gf, gg, go, tc, c, null, null);
  }

  private Buf gate(Buf a, int batch, int k) {
    Buf out = ws.zeroed(batch * hidden);
    ops.copyColumns(a, 4 * hidden, k * hidden, out, hidden, 0, batch, hidden);
    return out;
  }

  /**
   * Adds parameter gradients; returns dx(steps, batch, in) for dLast(batch, hidden). Only dh's
   * product is per step; the gradients of W, U and b and dx are one product (or column sum) each
   * over all steps, after the recurrence.
   */
  public Buf backward(Tape tape, Buf dLast) {
    int batch = tape.batch();
    int steps = tape.steps();
    int n = batch * hidden;
    Buf dx = ws.overwritten(steps * batch * in); // the product after the loop writes all of it
    Buf daAll = ws.zeroed(steps * 4 * n); // (steps, batch, 4 hidden)
    Buf dh = ws.zeroed(n);
    ops.copy(dLast, dh);
    Buf dc = ws.zeroed(n);
    for (int t = tape.steps() - 1; t >= 0; t--) {
      Step s = tape.cache()[t];
      boolean[] keep = tape.keep()[t];
      boolean[] pad = Masks.not(keep);
      Buf dhN = ws.zeroed(n);
      ops.copy(dh, dhN);
      ops.zeroRows(keep, dhN, hidden);
      Buf dcN = ws.zeroed(n);
      ops.copy(dc, dcN);
      ops.zeroRows(keep, dcN, hidden);
      ops.zeroRows(pad, dh, hidden); // what padded rows carry straight back
      ops.zeroRows(pad, dc, hidden);
      Buf da = daAll.slice(t * 4 * n, 4 * n); // (batch, 4 hidden)
      if (fused) {
        Buf dcPrev = ws.zeroed(n);
        ops.lstmCellBackward(s.gates(), s.cPrev(), s.c(), dhN, dcN, da, dcPrev, batch, hidden);
        ops.axpy(1, dcPrev, dc);
      } else {
        composedBackward(s, dhN, dcN, dc, da, batch);
      }
      ops.gemm(false, true, batch, hidden, 4 * hidden, 1, da, u.value(), 1, dh);
    }
    int rows = steps * batch;
    if (rows > 0) {
      ops.gemm(true, false, in, 4 * hidden, rows, 1, tape.x().slice(0, rows * in), daAll, 1,
          w.grad());
      ops.gemm(true, false, hidden, 4 * hidden, rows, 1, tape.hPrevAll(), daAll, 1, u.grad());
      ops.sumRowsInto(daAll, rows, 4 * hidden, b.grad());
      ops.gemm(false, true, rows, in, 4 * hidden, 1, daAll, w.value(), 0, dx);
    }
    return dx;
  }

  /** The cell's backward from element-wise kernels: da (batch, 4 hidden); dc += dC f. */
  private void composedBackward(Step s, Buf dhN, Buf dcN, Buf dc, Buf da, int batch) {
    int n = batch * hidden;
    // h = o * tc, tc = tanh(c)
    Buf dO = ws.zeroed(n);
    ops.mul(dhN, s.tc(), dO);
    Buf dtc = ws.zeroed(n);
    ops.mul(dhN, s.o(), dtc);
    ops.tanhBackward(s.tc(), dtc, dtc);
    ops.axpy(1, dtc, dcN);
    // c = f * cPrev + i * g
    Buf dI = ws.zeroed(n);
    ops.mul(dcN, s.g(), dI);
    Buf dG = ws.zeroed(n);
    ops.mul(dcN, s.i(), dG);
    Buf dF = ws.zeroed(n);
    ops.mul(dcN, s.cPrev(), dF);
    ops.mulAddInto(dcN, s.f(), dc);
    ops.sigmoidBackward(s.i(), dI, dI);
    ops.sigmoidBackward(s.f(), dF, dF);
    ops.tanhBackward(s.g(), dG, dG);
    ops.sigmoidBackward(s.o(), dO, dO);
    Buf[] parts = {dI, dF, dG, dO};
    for (int k = 0; k < 4; k++) {
      ops.copyColumns(parts[k], hidden, 0, da, 4 * hidden, k * hidden, batch, hidden);
    }
  }
}
