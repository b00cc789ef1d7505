package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * y = x W + b. Stateless between calls: the caller keeps x for the backward pass, so one layer
 * can be applied several times in a step (its gradients accumulate).
 */
public final class Linear {
  private final Ops ops;
  private final int in;
  private final int out;
  private final DenseParam w; // (in, out)
  private final DenseParam b; // (1, out)
  private Workspace ws;

  public Linear(Ops ops, ParameterStore.Builder store, String name, int in, int out, Init init) {
    this.ops = ops;
    this.in = in;
    this.out = out;
    this.w = store.add(name + ".w", in, out, init);
    this.b = store.add(name + ".b", 1, out, Init.zeros());
    this.ws = Workspace.none(ops);
  }

  /** Where the allocating forms take their outputs from (default: fresh buffers). */
  public void workspace(Workspace w) {
    this.ws = w;
  }

  /** Xavier-initialized weights. */
  public Linear(Ops ops, ParameterStore.Builder store, String name, int in, int out) {
    this(ops, store, name, in, out, Init.xavier());
  }

  public int in() {
    return in;
  }

  public int out() {
    return out;
  }

  /** y(rows, out) = x(rows, in) W + b. */
  public void forward(Buf x, int rows, Buf y) {
    ops.gemm(false, false, rows, out, in, 1, x, w.value(), 0, y);
    ops.addRowVector(y, rows, out, b.value());
  }

  /** Allocating form of {@link #forward(Buf, int, Buf)}. */
  public Buf forward(Buf x, int rows) {
    Buf y = ws.overwritten(rows * out); // the product (beta 0) writes all of it
    forward(x, rows, y);
    return y;
  }

  /**
   * Adds dW += x^T dy and db += sum(dy); writes dx(rows, in) = dy W^T unless dx is null.
   */
  public void backward(Buf x, int rows, Buf dy, Buf dx) {
    ops.gemm(true, false, in, out, rows, 1, x, dy, 1, w.grad());
    ops.sumRowsInto(dy, rows, out, b.grad());
    if (dx != null) {
      ops.gemm(false, true, rows, in, out, 1, dy, w.value(), 0, dx);
    }
  }

  /** Allocating form: returns dx. */
  public Buf backward(Buf x, int rows, Buf dy) {
    Buf dx = ws.overwritten(rows * in); // the product (beta 0) writes all of it
    backward(x, rows, dy, dx);
    return dx;
  }
}
