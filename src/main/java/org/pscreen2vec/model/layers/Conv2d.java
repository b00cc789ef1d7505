package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * 2-D convolution on NHWC images, k x k kernel, stride 1, "same" zero padding: im2col turns the
 * batch into a (n h w, k k cin) patch matrix, and the convolution is one GEMM with W(k k cin, cout),
 * whose output (n h w, cout) is already NHWC.
 *
 * <p>The patch matrix is the largest buffer of a CNN step (10 MB for a 64-image batch of 14 x 14
 * x 8 with a 5 x 5 kernel), so the layer keeps one scratch buffer for it and reuses it from step
 * to step; backward writes the patch gradients into the same storage once the weight gradient
 * has read the patches. Hence a tape is valid until the next forward of this layer and serves
 * one backward. Batches whose patch matrix exceeds {@link #KEEP_LIMIT} floats (evaluation
 * batches of a thousand images) get a buffer of their own, dropped after use, so that no layer
 * holds hundreds of MB between evaluations.
 */
public final class Conv2d {
  private final Ops ops;
  private final int cin;
  private final int cout;
  private final int k;
  private final DenseParam w; // (k * k * cin, cout), patch order (ky, kx, c)
  private final DenseParam b; // (1, cout)
  /** Largest patch matrix, in floats, kept between calls (64 MB). */
  static final int KEEP_LIMIT = 16 << 20;
  private Buf scratch; // patches (n h w, k k cin) of the last forward, reused; null until needed

  /** The patches of the last forward (n h w, k k cin) and the input geometry. */
  public record Tape(Buf cols, int n, int h, int w) {}

  public Conv2d(Ops ops, ParameterStore.Builder store, String name, int cin, int cout, int k) {
    if (k % 2 != 1) {
      throw new IllegalArgumentException("kernel size must be odd for same padding, was " + k);
    }
    this.ops = ops;
    this.cin = cin;
    this.cout = cout;
    this.k = k;
    this.w = store.add(name + ".w", k * k * cin, cout, Init.he());
    this.b = store.add(name + ".b", 1, cout, Init.zeros());
  }

  public int cout() {
    return cout;
  }

  /** y(n, h, w, cout) for x(n, h, w, cin). */
  public Tape forward(Buf x, int n, int h, int wd, Buf y) {
    int rows = n * h * wd;
    Buf cols = patches(rows * k * k * cin);
    ops.im2col(x, n, h, wd, cin, k, k / 2, cols);
    ops.gemm(false, false, rows, cout, k * k * cin, 1, cols, w.value(), 0, y);
    ops.addRowVector(y, rows, cout, b.value());
    return new Tape(cols, n, h, wd);
  }

  /** Adds parameter gradients; writes dx(n, h, w, cin) unless dx is null. */
  public void backward(Tape t, Buf dy, Buf dx) {
    int rows = t.n() * t.h() * t.w();
    int patch = k * k * cin;
    ops.gemm(true, false, patch, cout, rows, 1, t.cols(), dy, 1, w.grad());
    ops.sumRowsInto(dy, rows, cout, b.grad());
    if (dx != null) {
      Buf dCols = t.cols(); // the patches are read: their storage takes the patch gradients
      ops.gemm(false, true, rows, patch, cout, 1, dy, w.value(), 0, dCols);
      ops.col2im(dCols, t.n(), t.h(), t.w(), cin, k, k / 2, dx);
    }
  }

  /** The scratch patch buffer, grown to len floats (or a one-off buffer above the limit). */
  private Buf patches(int len) {
    if (len > KEEP_LIMIT) {
      return ops.alloc(len);
    }
    if (scratch == null || scratch.length() < len) {
      scratch = ops.alloc(len);
    }
    return scratch.length() == len ? scratch : scratch.slice(0, len);
  }
}
