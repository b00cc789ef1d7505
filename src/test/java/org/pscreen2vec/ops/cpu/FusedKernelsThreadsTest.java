package org.pscreen2vec.ops.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.ops.FloatBuf;

/**
 * The screen RNN's fused kernels split over threads (issue 15, "step") give bitwise the
 * one-thread result on any thread count, on shapes below and above the split threshold, for
 * slices at nonzero offsets; and the one-thread results are the unfused kernels' (bias then
 * tanh; tanh backward then the column sums).
 */
class FusedKernelsThreadsTest {
  private static float[] gauss(int n, Random r) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (2 * r.nextGaussian());
    }
    return v;
  }

  private static FloatBuf at(float[] v, int off) {
    float[] a = new float[v.length + off + 3];
    System.arraycopy(v, 0, a, off, v.length);
    return new FloatBuf(a).slice(off, v.length);
  }

  private static float[] values(FloatBuf b) {
    return java.util.Arrays.copyOfRange(b.array(), b.offset(), b.offset() + b.length());
  }

  @Test
  void biasTanhAndItsBackwardAreBitwiseOnAnyThreadCount() {
    Random r = new Random(7);
    int[][] shapes = {{3, 5}, {37, 129}, {237, 768}, {1000, 70}, {90, 1001}};
    for (int[] s : shapes) {
      int rows = s[0];
      int cols = s[1];
      float[] x = gauss(rows * cols, r);
      float[] b = gauss(cols, r);
      float[] dy = gauss(rows * cols, r);
      float[] out0 = gauss(cols, r);
      // the unfused pair, one thread
      FloatBuf want = at(x, 0);
      FloatKernels.addRowVector(want, rows, cols, at(b, 0));
      FloatKernels2.tanh(want, want);
      FloatBuf wantDx = at(new float[rows * cols], 0);
      FloatKernels2.tanhBackward(want, at(dy, 0), wantDx);
      FloatBuf wantOut = at(out0, 0);
      FloatKernels.sumRowsInto(wantDx, rows, cols, wantOut);
      for (int threads : new int[] {1, 2, 3, 8}) {
        FloatBuf y = at(x, 5);
        FusedKernels.biasTanh(y, rows, cols, at(b, 2), threads);
        String what = rows + "x" + cols + " on " + threads + " threads";
        assertArrayEquals(values(want), values(y), 0f, what);
        FloatBuf dx = at(dy, 1); // in place: dx aliases dy
        FloatBuf out = at(out0, 4);
        FusedKernels.tanhBackwardSumRows(y, dx, dx, rows, cols, out, threads);
        assertArrayEquals(values(wantDx), values(dx), 0f, what + ": dx");
        assertArrayEquals(values(wantOut), values(out), 0f, what + ": bias gradient");
      }
    }
  }

  @Test
  void bagMeanAndItsBackwardSplitByColumnsAreBitwiseOnAnyThreadCount() {
    Random r = new Random(9);
    int dim = 768;
    int rows = 300;
    float[] table = gauss(rows * dim, r);
    int bags = 200;
    int[] offsets = new int[bags + 1];
    for (int b = 0; b < bags; b++) {
      offsets[b + 1] = offsets[b] + r.nextInt(9); // empty bags too
    }
    int[] ids = new int[offsets[bags]];
    for (int q = 0; q < ids.length; q++) {
      ids[q] = r.nextInt(rows); // repeated rows: bags share slots in the backward
    }
    float[] dOut = gauss(bags * dim, r);
    FloatBuf want = at(new float[bags * dim], 0);
    FloatKernels.bagMean(at(table, 0), dim, ids, offsets, want, 0, dim);
    FloatBuf wantD = at(new float[rows * dim], 0);
    FloatKernels2.bagMeanBackward(at(dOut, 0), dim, ids, offsets, wantD, 0, dim);
    for (int threads : new int[] {1, 2, 3, 8}) {
      FloatBuf t = at(table, 3);
      FloatBuf out = at(gauss(bags * dim, r), 6); // stale values: the mean overwrites them
      FusedKernels.split(dim, (long) ids.length * dim, threads,
          (j0, j1) -> FloatKernels.bagMean(t, dim, ids, offsets, out, j0, j1));
      assertArrayEquals(values(want), values(out), 0f, "bagMean on " + threads + " threads");
      FloatBuf g = at(dOut, 1);
      FloatBuf d = at(new float[rows * dim], 2);
      FusedKernels.split(dim, (long) ids.length * dim, threads,
          (j0, j1) -> FloatKernels2.bagMeanBackward(g, dim, ids, offsets, d, j0, j1));
      assertArrayEquals(values(wantD), values(d), 0f, "bagMeanBackward on " + threads);
    }
  }
}
