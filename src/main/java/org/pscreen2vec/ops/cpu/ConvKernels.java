package org.pscreen2vec.ops.cpu;

import java.util.Arrays;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Convolution and pooling kernels of {@link CpuOps} on NHWC images.
 *
 * <p>Why they look like this: for a k x k kernel at stride 1, the kx = 0..k-1 part of a patch row
 * is one contiguous run of k * c floats of the input row sy (clipped at the image edges), so
 * im2col and col2im move whole runs instead of k * k runs of c floats (the first version made one
 * {@code System.arraycopy} call per float when c = 1, 4.7 ms for a 64-image batch of 28 x 28;
 * this is 0.5 ms). Pooling reads the two input rows of a window row directly.
 */
final class ConvKernels {
  private ConvKernels() {}

  /** cols(n h w, k k c), patch order (ky, kx, c), zeros outside the image. */
  static void im2col(FloatBuf x, int n, int h, int w, int c, int k, int pad, FloatBuf cols) {
    float[] xv = x.array();
    float[] cv = cols.array();
    int run = k * c; // one kernel row of a patch
    int patch = k * run;
    int dst = cols.offset();
    for (int img = 0; img < n; img++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++, dst += patch) {
          int x0 = xx - pad; // input column under kx = 0
          int lo = Math.max(0, -x0) * c; // valid part [lo, hi) of each run
          int hi = Math.min(k, w - x0) * c;
          for (int ky = 0; ky < k; ky++) {
            int d = dst + ky * run;
            int sy = y + ky - pad;
            if (sy < 0 || sy >= h) {
              Arrays.fill(cv, d, d + run, 0f);
              continue;
            }
            int s = x.offset() + ((img * h + sy) * w + x0) * c;
            for (int i = 0; i < lo; i++) {
              cv[d + i] = 0f;
            }
            copy(xv, s + lo, cv, d + lo, hi - lo);
            for (int i = hi; i < run; i++) {
              cv[d + i] = 0f;
            }
          }
        }
      }
    }
  }

  /** dx(n, h, w, c) = the sum of each input element's patch gradients (overwrites dx). */
  static void col2im(FloatBuf dCols, int n, int h, int w, int c, int k, int pad, FloatBuf dx) {
    float[] cv = dCols.array();
    float[] dv = dx.array();
    Arrays.fill(dv, dx.offset(), dx.offset() + dx.length(), 0f);
    int run = k * c;
    int patch = k * run;
    int src = dCols.offset();
    for (int img = 0; img < n; img++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++, src += patch) {
          int x0 = xx - pad;
          int lo = Math.max(0, -x0) * c;
          int hi = Math.min(k, w - x0) * c;
          for (int ky = 0; ky < k; ky++) {
            int sy = y + ky - pad;
            if (sy < 0 || sy >= h) {
              continue;
            }
            int s = src + ky * run;
            int d = dx.offset() + ((img * h + sy) * w + x0) * c;
            for (int i = lo; i < hi; i++) {
              dv[d + i] += cv[s + i];
            }
          }
        }
      }
    }
  }

  /**
   * y(n, h/2, w/2, c) = the maximum of each 2 x 2 window; argmax holds its index into x (the
   * first of equal values in the order (0,0), (0,1), (1,0), (1,1), as the reference does).
   */
  static void maxPool2(FloatBuf x, int n, int h, int w, int c, FloatBuf y, int[] argmax) {
    float[] xv = x.array();
    float[] yv = y.array();
    int xo = x.offset();
    int oh = h / 2;
    int ow = w / 2;
    int out = 0;
    for (int img = 0; img < n; img++) {
      for (int oy = 0; oy < oh; oy++) {
        int top = ((img * h + 2 * oy) * w) * c; // index of (2 oy, 0, 0) relative to x
        int bottom = top + w * c;
        for (int ox = 0; ox < ow; ox++) {
          int a = top + 2 * ox * c;
          int b = bottom + 2 * ox * c;
          for (int ch = 0; ch < c; ch++, out++) {
            int best = a + ch;
            int bv = Float.floatToRawIntBits(xv[xo + best]);
            int cand = a + c + ch;
            int m = later(bv, xv[xo + cand]);
            bv ^= (bv ^ Float.floatToRawIntBits(xv[xo + cand])) & m;
            best ^= (best ^ cand) & m;
            cand = b + ch;
            m = later(bv, xv[xo + cand]);
            bv ^= (bv ^ Float.floatToRawIntBits(xv[xo + cand])) & m;
            best ^= (best ^ cand) & m;
            cand = b + c + ch;
            m = later(bv, xv[xo + cand]);
            bv ^= (bv ^ Float.floatToRawIntBits(xv[xo + cand])) & m;
            best ^= (best ^ cand) & m;
            yv[y.offset() + out] = Float.intBitsToFloat(bv);
            argmax[out] = best;
          }
        }
      }
    }
  }

  /**
   * -1 if v > the float with bits b, else 0, without a branch (the signs of a convolution's
   * outputs are random, and the comparisons' branches mispredicted: 12 % of a CNN step). Both
   * are compared as {@link #order} keys; a NaN's result is unspecified (the reference keeps the
   * first value then).
   */
  private static int later(int b, float v) {
    return (int) (((long) order(Float.intBitsToFloat(b)) - order(v)) >> 63);
  }

  /**
   * An int that orders as the float does, -0 equal to +0: the bits of f + 0 (which turns -0
   * into +0), with a negative's magnitude bits inverted (a negative f gives -1 - its magnitude).
   */
  private static int order(float f) {
    int i = Float.floatToRawIntBits(f + 0f);
    return i ^ ((i >> 31) & 0x7fffffff);
  }

  static void maxPool2Backward(FloatBuf dy, int[] argmax, FloatBuf dx) {
    float[] g = dy.array();
    float[] d = dx.array();
    int xo = dx.offset();
    int go = dy.offset();
    Arrays.fill(d, xo, xo + dx.length(), 0f);
    for (int i = 0, n = dy.length(); i < n; i++) {
      d[xo + argmax[i]] += g[go + i];
    }
  }

  /** A short run by a loop the JIT unrolls; a long one by arraycopy. */
  private static void copy(float[] src, int s, float[] dst, int d, int len) {
    if (len >= 32) {
      System.arraycopy(src, s, dst, d, len);
      return;
    }
    for (int i = 0; i < len; i++) {
      dst[d + i] = src[s + i];
    }
  }
}
