package org.pscreen2vec.model.layers;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** 2 x 2 max pooling with stride 2 on NHWC images (odd trailing rows/columns are dropped). */
public final class MaxPool2 {
  private final Ops ops;

  /** Where each output came from, and the input length. */
  public record Tape(int[] argmax, int inputLength) {}

  public MaxPool2(Ops ops) {
    this.ops = ops;
  }

  /** y(n, h/2, w/2, c) for x(n, h, w, c). */
  public Tape forward(Buf x, int n, int h, int w, int c, Buf y) {
    int[] argmax = new int[n * (h / 2) * (w / 2) * c];
    ops.maxPool2(x, n, h, w, c, y, argmax);
    return new Tape(argmax, x.length());
  }

  /** dx = gradient routed to each window's maximum. */
  public void backward(Tape t, Buf dy, Buf dx) {
    ops.maxPool2Backward(dy, t.argmax(), dx);
  }
}
