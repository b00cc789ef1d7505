package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Elman RNN, h_t = tanh(x_t Wx + h_{t-1} Wh + b), over sequences of different lengths: the final
 * state of a row is its state after its last real element (zero for an empty sequence).
 * Backpropagation through time in {@link #backward}.
 *
 * <p>The work runs on {@link Packing packed} sequences: step t multiplies only the rows still
 * running, and since those are a prefix of the rows running at t - 1, h_{t-1} of every running
 * row is a prefix of step t - 1's output. The tape is therefore just the packed outputs, one row
 * per real element; nothing is padded, selected or copied per step. {@link #forward(Buf, int, int,
 * int[])} takes a padded time-major batch and packs it first. Only the recurrent products (h_{t-1}
 * Wh forward, dz_t Wh^T backward) run per step; the input product and the weight and input
 * gradients run once over all packed rows (issue 15: 4 of the 6 per-step products of the paper
 * step's screen RNN, about 8,000 rows each, now run as single large products).
 */
public final class ElmanRnn {
  private final Ops ops;
  private final int in;
  private final int hidden;
  private final DenseParam wx; // (in, hidden)
  private final DenseParam wh; // (hidden, hidden)
  private final DenseParam b;  // (1, hidden)
  /**
   * Whether the step uses the backend's fused bias + tanh (and tanh backward + bias gradient,
   * {@link Ops#biasTanh}): one pass over each step's states instead of two (one kernel launch on
   * a GPU), bitwise the same result on the CPU; {@code -Dpscreen2vec.fused=false} calls the
   * pairs instead (for comparison).
   */
  private final boolean fused;
  private Workspace ws;

  /**
   * Everything backward needs; {@link #last()} is the final state (batch, hidden) in the batch's
   * own row order.
   *
   * @param x          (total, in) packed input
   * @param z          (total + 1, hidden) packed states, the last row zero (empty sequences)
   * @param paddedRows for a padded input, the padded row of each packed row; else null
   */
  public record Tape(Buf x, Packing packing, Buf z, Buf last, int[] paddedRows) {}

  public ElmanRnn(Ops ops, ParameterStore.Builder store, String name, int in, int hidden) {
    this.ops = ops;
    this.in = in;
    this.hidden = hidden;
    this.wx = store.add(name + ".wx", in, hidden, Init.xavier());
    this.wh = store.add(name + ".wh", hidden, hidden, Init.xavier());
    this.b = store.add(name + ".b", 1, hidden, Init.zeros());
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

  /** x(steps, batch, in) time-major and padded; lengths(batch) in 0..steps. */
  public Tape forward(Buf x, int steps, int batch, int[] lengths) {
    Packing p = Packing.of(steps, lengths);
    int[] rows = p.paddedRows();
    Buf packed = ws.overwritten(p.total() * in); // (total, in), gathered
    ops.gatherRows(x, in, rows, packed);
    Tape t = forward(packed, p);
    return new Tape(t.x(), p, t.z(), t.last(), rows);
  }

  /** x(total, in) packed by p. */
  public Tape forward(Buf x, Packing p) {
    int total = p.total();
    Buf z = ws.overwritten((total + 1) * hidden); // (total + 1, hidden)
    ops.fill(z.slice(total * hidden, hidden), 0); // the zero row; the product writes the others
    // x_t Wx of every step at once: the packed steps are consecutive rows, and one large
    // product runs at the BLAS's full rate where a product per step (at most batch rows) does not
    ops.gemm(false, false, total, hidden, in, 1, x.slice(0, total * in), wx.value(), 0,
        z.slice(0, total * hidden));
    try (Ops.Held held = ops.hold(wh.value())) { // Wh is read, not written, in the loop
      for (int t = 0; t < p.steps(); t++) {
        int rows = p.running(t);
        Buf zt = z.slice(p.offset(t) * hidden, rows * hidden);
        if (t > 0) { // h_{t-1} of the running rows: the first rows of step t - 1
          ops.gemm(false, false, rows, hidden, hidden, 1, z.slice(p.offset(t - 1) * hidden,
              rows * hidden), wh.value(), 1, zt);
        }
        if (fused) {
          ops.biasTanh(zt, rows, hidden, b.value());
        } else {
          ops.addRowVector(zt, rows, hidden, b.value());
          ops.tanh(zt, zt);
        }
      }
    }
    int[] lastRows = new int[p.batch()]; // packed row of each row's final state, or the zero row
    for (int r = 0; r < lastRows.length; r++) {
      lastRows[r] = p.length(r) == 0 ? total : p.row(r, p.length(r) - 1);
    }
    Buf last = ws.overwritten(p.batch() * hidden); // gathered
    ops.gatherRows(z, hidden, lastRows, last);
    return new Tape(x, p, z, last, null);
  }

  /**
   * Adds parameter gradients; returns dx for dLast(batch, hidden): (steps, batch, in) padded,
   * zero at padding, when the tape came from a padded input, else (total, in) packed.
   */
  public Buf backward(Tape tape, Buf dLast) {
    Packing p = tape.packing();
    Buf x = tape.x();
    Buf z = tape.z();
    int total = p.total();
    int[] sorted = new int[p.batch()];
    for (int j = 0; j < sorted.length; j++) {
      sorted[j] = p.order(j);
    }
    // dh (batch, hidden) in sorted order: a row's gradient passes unchanged through the steps
    // after its end and enters the cell at its last step.
    Buf dh = ws.overwritten(p.batch() * hidden); // gathered
    ops.gatherRows(dLast, hidden, sorted, dh);
    // Only dz_t -> dh_{t-1} is sequential. The pre-activation gradients of every step are kept
    // (packed like z), and the products that do not feed the recursion (dWx, dx, dWh) run once
    // over all steps after the loop: three large products instead of three per step.
    Buf dz = ws.overwritten(total * hidden); // (total, hidden): every step writes its rows
    try (Ops.Held held = ops.hold(wh.value())) { // Wh is read, not written, in the loop
      for (int t = p.steps() - 1; t >= 0; t--) {
        int rows = p.running(t);
        Buf dzt = dz.slice(p.offset(t) * hidden, rows * hidden);
        Buf dht = dh.slice(0, rows * hidden);
        Buf zt = z.slice(p.offset(t) * hidden, rows * hidden);
        if (fused) {
          ops.tanhBackwardSumRows(zt, dht, dzt, rows, hidden, b.grad());
        } else {
          ops.tanhBackward(zt, dht, dzt);
          ops.sumRowsInto(dzt, rows, hidden, b.grad());
        }
        if (t > 0) { // h0 is zero: neither Wh nor the initial state gets a gradient at t = 0
          ops.gemm(false, true, rows, hidden, hidden, 1, dzt, wh.value(), 0, dht);
        }
      }
    }
    ops.gemm(true, false, in, hidden, total, 1, x.slice(0, total * in), dz, 1, wx.grad());
    Buf dx = ws.overwritten(total * in); // the product (beta 0) writes all of it
    ops.gemm(false, true, total, in, hidden, 1, dz, wx.value(), 0, dx);
    int later = p.steps() < 2 ? 0 : total - p.offset(1); // packed rows of steps 1, 2, ...
    if (later > 0) { // dWh = sum over t >= 1 of h_{t-1}^T dz_t, h_{t-1} of step t's rows gathered
      int[] prev = new int[later];
      for (int t = 1, i = 0; t < p.steps(); t++) {
        for (int r = 0; r < p.running(t); r++) {
          prev[i++] = p.offset(t - 1) + r;
        }
      }
      Buf hPrev = ws.overwritten(later * hidden); // gathered
      ops.gatherRows(z, hidden, prev, hPrev);
      ops.gemm(true, false, hidden, hidden, later, 1, hPrev, dz.slice(p.offset(1) * hidden,
          later * hidden), 1, wh.grad());
    }
    if (tape.paddedRows() == null) {
      return dx;
    }
    Buf padded = ws.zeroed(p.steps() * p.batch() * in); // scattered into: zero at padding
    ops.scatterAddRows(dx, in, tape.paddedRows(), padded);
    return padded;
  }
}
