package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * 2-D convolution on NHWC images, k x k kernel, stride 1, "same" zero padding, through the
 * backend's whole-layer methods {@link Ops#conv2d} and {@link Ops#conv2dBackward}: by default
 * im2col into a (n h w, k k cin) patch matrix and one GEMM with W(k k cin, cout); the CPU
 * backend convolves directly.
 *
 * <p>The backend's scratch (the patch matrix: 10 MB for a 64-image batch of 14 x 14 x 8 with a
 * 5 x 5 kernel; the CPU backend's packed input is 25 times smaller) carries what backward needs
 * from forward, so the layer keeps one scratch buffer and reuses it from step to step. Hence a
 * tape is valid until the next forward of this layer and serves one backward. Scratch above
 * {@link #KEEP_LIMIT} floats (evaluation batches of a thousand images on the im2col path) is a
 * buffer of its own, dropped after use, so that no layer holds hundreds of MB between
 * evaluations.
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
  private Buf scratch; // the backend's conv2d scratch of the last forward, reused; null until needed

  /** The input of the last forward (n, h, w, cin), its geometry and the backend's scratch. */
  public record Tape(Buf x, int n, int h, int w, Buf scratch) {}

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

  /** y(n, h, w, cout) for x(n, h, w, cin); x must stay unchanged until backward. */
  public Tape forward(Buf x, int n, int h, int wd, Buf y) {
    Buf s = scratch(ops.conv2dScratch(n, h, wd, cin, k));
    ops.conv2d(x, n, h, wd, cin, k, w.value(), b.value(), cout, y, s);
    return new Tape(x, n, h, wd, s);
  }

  /** Adds parameter gradients; writes dx(n, h, w, cin) unless dx is null. */
  public void backward(Tape t, Buf dy, Buf dx) {
    ops.conv2dBackward(t.x(), t.n(), t.h(), t.w(), cin, k, w.value(), cout, dy, w.grad(),
        b.grad(), dx, t.scratch());
  }

  /** The scratch buffer, grown to len floats (a one-off buffer above the limit; null for 0). */
  private Buf scratch(long len) {
    if (len == 0) {
      return null;
    }
    if (len > KEEP_LIMIT) {
      return ops.alloc(Math.toIntExact(len));
    }
    if (scratch == null || scratch.length() < len) {
      scratch = ops.alloc((int) len);
    }
    return scratch.length() == len ? scratch : scratch.slice(0, (int) len);
  }
}
