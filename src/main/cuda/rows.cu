// Row and column kernels on row-major (rows, cols) matrices: the fused bias + activation forward
// and backward (bias gradient as a column sum), column copies, row selection.
#include "common.cuh"

// y(rows, cols) = act(x + bias[col]) (bias may be null: activation alone); y may alias x.
// Serves addRowVector (act none, y = x), relu, tanh, sigmoid and the RNN step's tanh(pre + b).
extern "C" __global__ void bias_act_fwd(const float* x, const float* bias, float* y, int rows,
                                        int cols, int act) {
  long long n = (long long)rows * cols;
  GRID_STRIDE(i, n) {
    float v = x[i];
    if (bias) v += bias[i % cols];
    y[i] = activate(act, v);
  }
}

// One thread per column: dx[r, c] = dy[r, c] * act'(y[r, c]) (skipped when dx is null; dx may
// alias dy) and dBias[c] += sum over r of that (skipped when dBias is null). Threads of a warp
// walk neighbouring columns, so every row read is coalesced. y may be null when act is none.
extern "C" __global__ void bias_act_bwd(const float* y, const float* dy, float* dx, float* dBias,
                                        int rows, int cols, int act) {
  GRID_STRIDE(c, cols) {
    double sum = 0;
    for (long long r = 0; r < rows; r++) {
      long long i = r * cols + c;
      float g = dy[i] * (act == ACT_NONE ? 1.f : activate_grad(act, y[i]));
      if (dx) dx[i] = g;
      sum += g;
    }
    if (dBias) dBias[c] += (float)sum;
  }
}

// dst(rows, dstCols)[r, dstCol + j] = src(rows, srcCols)[r, srcCol + j] for j < width.
extern "C" __global__ void copy_columns(const float* src, int srcCols, int srcCol, float* dst,
                                        int dstCols, int dstCol, int rows, int width) {
  long long n = (long long)rows * width;
  GRID_STRIDE(i, n) {
    long long r = i / width;
    int j = (int)(i - r * width);
    dst[r * dstCols + dstCol + j] = src[r * srcCols + srcCol + j];
  }
}

// out(rows, cols)[r] = keep[r] ? a[r] : (b ? b[r] : 0); out may alias a or b. zeroRows passes
// a = out = x and b = null.
extern "C" __global__ void select_rows(const uint8_t* keep, const float* a, const float* b,
                                       float* out, int rows, int cols) {
  long long n = (long long)rows * cols;
  GRID_STRIDE(i, n) {
    long long r = i / cols;
    out[i] = keep[r] ? a[i] : (b ? b[i] : 0.f);
  }
}
