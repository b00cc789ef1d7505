package org.pscreen2vec.model.layers;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * 2 x 2 max pooling with stride 2 on NHWC images (odd trailing rows/columns are dropped).
 *
 * <p>The layer keeps its argmax array between calls (grown, never shrunk): a tape is valid until
 * the next forward of this layer, so a model uses one instance per pooling layer.
 */
public final class MaxPool2 {
  private final Ops ops;
  /** Largest argmax array kept between calls (evaluation batches of 1000 get their own). */
  static final int KEEP_LIMIT = 1 << 21;
  private int[] argmax = new int[0];

  /** Where each output came from, and the input length. */
  public record Tape(int[] argmax, int inputLength) {}

  public MaxPool2(Ops ops) {
    this.ops = ops;
  }

  /** y(n, h/2, w/2, c) for x(n, h, w, c). */
  public Tape forward(Buf x, int n, int h, int w, int c, Buf y) {
    int len = n * (h / 2) * (w / 2) * c;
    int[] a = argmax;
    if (a.length < len) {
      a = new int[len];
      if (len <= KEEP_LIMIT) {
        argmax = a;
      }
    }
    ops.maxPool2(x, n, h, w, c, y, a);
    return new Tape(a, x.length());
  }

  /** dx = gradient routed to each window's maximum. */
  public void backward(Tape t, Buf dy, Buf dx) {
    ops.maxPool2Backward(dy, t.argmax(), dx);
  }
}
