package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The run-wise convolution kernels at the Fashion CNN's own shapes (one input channel with a
 * 5 x 5 kernel, 8 channels on 14 x 14, images narrower than the kernel) and on slices with an
 * offset, against the double reference: im2col and pooling must be exact (they only move
 * values), col2im sums at most k * k floats per element (bound 1e-6 relative). Also the
 * branch-free ReLU backward on the values where a sign test is easy to get wrong.
 */
class ConvKernelsTest {
  private final Ops cpu = CpuOps.plainJava();
  private final Ops ref = new ReferenceOps();
  private final Random rnd = new Random(42);

  private static final int[][] SHAPES = { // n, h, w, c, k, pad
      {2, 28, 28, 1, 5, 2}, {2, 14, 14, 8, 5, 2}, {1, 3, 2, 3, 5, 2}, {3, 7, 9, 2, 3, 1},
      {1, 1, 4, 1, 3, 1}};

  private float[] random(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = rnd.nextFloat() * 2 - 1;
    }
    return a;
  }

  /** A slice [3, 3 + n) of a larger buffer holding v, so offsets are exercised. */
  private static Buf slice(Ops o, float[] v) {
    Buf b = o.alloc(v.length + 7);
    o.fill(b, 99);
    Buf s = b.slice(3, v.length);
    o.upload(v, 0, s, 0, v.length);
    return s;
  }

  private static float[] read(Ops o, Buf b) {
    float[] out = new float[b.length()];
    o.download(b, 0, out, 0, out.length);
    return out;
  }

  @Test
  void im2colAndCol2imMatchTheReference() {
    for (int[] s : SHAPES) {
      int pixels = s[0] * s[1] * s[2];
      int patch = s[4] * s[4] * s[3];
      float[] x = random(pixels * s[3]);
      float[] expected = new float[pixels * patch];
      float[] got = new float[pixels * patch];
      for (Ops o : new Ops[] {ref, cpu}) {
        Buf cols = slice(o, new float[pixels * patch]);
        o.im2col(slice(o, x), s[0], s[1], s[2], s[3], s[4], s[5], cols);
        System.arraycopy(read(o, cols), 0, o == ref ? expected : got, 0, expected.length);
      }
      assertArrayEquals(expected, got, 0f, "im2col " + java.util.Arrays.toString(s));

      float[] dCols = random(pixels * patch);
      float[] dxRef = read(ref, dx(ref, dCols, s));
      float[] dxCpu = read(cpu, dx(cpu, dCols, s));
      for (int i = 0; i < dxRef.length; i++) {
        assertEquals(dxRef[i], dxCpu[i], 1e-6 * Math.max(1, Math.abs(dxRef[i])) * s[4] * s[4],
            "col2im " + java.util.Arrays.toString(s) + " at " + i);
      }
    }
  }

  private static Buf dx(Ops o, float[] dCols, int[] s) {
    Buf dx = slice(o, new float[s[0] * s[1] * s[2] * s[3]]);
    o.fill(dx, 5); // col2im overwrites
    o.col2im(slice(o, dCols), s[0], s[1], s[2], s[3], s[4], s[5], dx);
    return dx;
  }

  @Test
  void maxPoolMatchesTheReferenceIncludingTies() {
    int[][] shapes = {{2, 28, 28, 8}, {2, 14, 14, 16}, {1, 5, 7, 3}};
    for (int[] s : shapes) {
      float[] x = random(s[0] * s[1] * s[2] * s[3]);
      for (int i = 0; i < x.length; i += 5) {
        x[i] = 0.25f; // ties inside windows: the first in window order wins
      }
      int outLen = s[0] * (s[1] / 2) * (s[2] / 2) * s[3];
      int[] argRef = new int[outLen];
      int[] argCpu = new int[outLen];
      Buf yRef = ref.alloc(outLen);
      Buf yCpu = slice(cpu, new float[outLen]);
      ref.maxPool2(slice(ref, x), s[0], s[1], s[2], s[3], yRef, argRef);
      cpu.maxPool2(slice(cpu, x), s[0], s[1], s[2], s[3], yCpu, argCpu);
      assertArrayEquals(argRef, argCpu, "argmax " + java.util.Arrays.toString(s));
      assertArrayEquals(read(ref, yRef), read(cpu, yCpu), 0f);
    }
  }

  @Test
  void reluBackwardKeepsTheGradientExactlyWhereYIsPositive() {
    float[] y = {1f, -1f, 0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
        Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f};
    float[] dy = {2f, 3f, 4f, 5f, 6f, 7f, 8f, -9f, 10f, Float.NaN, -0f};
    float[] expected = new float[y.length];
    for (int i = 0; i < y.length; i++) {
      expected[i] = y[i] > 0 ? dy[i] : 0f;
    }
    Buf dx = slice(cpu, new float[y.length]);
    cpu.reluBackward(slice(cpu, y), slice(cpu, dy), dx);
    float[] got = read(cpu, dx);
    for (int i = 0; i < y.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(got[i]),
          "y " + y[i] + ", dy " + dy[i] + ": expected " + expected[i] + ", got " + got[i]);
    }
  }
}
