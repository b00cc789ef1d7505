package org.pscreen2vec.ops.cpu;

import org.pscreen2vec.ops.FloatBuf;

/**
 * The LSTM cell step of {@link CpuOps}, each element in one pass, with exactly the float
 * operations, in the same order, of the element-wise kernels it replaces (FloatKernels2's
 * sigmoid, tanh, mul, mulAddInto, tanhBackward, sigmoidBackward and axpy), so that the fused and
 * the composed LSTM give bitwise the same numbers.
 */
final class LstmKernels {
  private LstmKernels() {}

  private static float sigmoid(float x) {
    return (float) (1 / (1 + Math.exp(-x)));
  }

  private static float tanh(float x) {
    return (float) (1 - 2 / (Math.exp(2.0 * x) + 1));
  }

  /** gates(rows, 4h) [i f g o] pre-activations -> activations; c = f cPrev + i g; h = o tanh(c). */
  static void forward(FloatBuf gates, FloatBuf cPrev, FloatBuf c, FloatBuf h, int rows,
      int hidden) {
    float[] g = gates.array();
    float[] cp = cPrev.array();
    float[] cv = c.array();
    float[] hv = h.array();
    for (int r = 0; r < rows; r++) {
      int gr = gates.offset() + r * 4 * hidden;
      for (int j = 0; j < hidden; j++) {
        int e = r * hidden + j;
        float i = sigmoid(g[gr + j]);
        float f = sigmoid(g[gr + hidden + j]);
        float gg = tanh(g[gr + 2 * hidden + j]);
        float o = sigmoid(g[gr + 3 * hidden + j]);
        g[gr + j] = i;
        g[gr + hidden + j] = f;
        g[gr + 2 * hidden + j] = gg;
        g[gr + 3 * hidden + j] = o;
        float fc = f * cp[cPrev.offset() + e];
        float cn = fc + i * gg;
        cv[c.offset() + e] = cn;
        hv[h.offset() + e] = o * tanh(cn);
      }
    }
  }

  /** dGates(rows, 4h) and dcPrev = dC f from dh, dc (null: zero) and the forward's values. */
  static void backward(FloatBuf gates, FloatBuf cPrev, FloatBuf c, FloatBuf dh, FloatBuf dc,
      FloatBuf dGates, FloatBuf dcPrev, int rows, int hidden) {
    float[] g = gates.array();
    float[] dg = dGates.array();
    for (int r = 0; r < rows; r++) {
      int gr = gates.offset() + r * 4 * hidden;
      int dr = dGates.offset() + r * 4 * hidden;
      for (int j = 0; j < hidden; j++) {
        int e = r * hidden + j;
        float i = g[gr + j];
        float f = g[gr + hidden + j];
        float gg = g[gr + 2 * hidden + j];
        float o = g[gr + 3 * hidden + j];
        float tc = tanh(c.array()[c.offset() + e]);
        float dhe = dh.array()[dh.offset() + e];
        float dtc = dhe * o * (1 - tc * tc);
        float dC = (dc == null ? 0f : dc.array()[dc.offset() + e]) + dtc;
        float cp = cPrev.array()[cPrev.offset() + e];
        dg[dr + j] = dC * gg * i * (1 - i);
        dg[dr + hidden + j] = dC * cp * f * (1 - f);
        dg[dr + 2 * hidden + j] = dC * i * (1 - gg * gg);
        dg[dr + 3 * hidden + j] = dhe * tc * o * (1 - o);
        dcPrev.array()[dcPrev.offset() + e] = dC * f;
      }
    }
  }
}
