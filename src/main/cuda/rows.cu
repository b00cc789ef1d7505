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

// dx[r, c] = dy[r, c] * act'(y[r, c]) (skipped when dx is null; dx may alias dy) and
// dBias[c] += sum over r of that (skipped when dBias is null); y may be null when act is none.
// The (rows, cols) matrix is cut into column tiles of blockDim.x and row chunks of rowsPerChunk:
// block b takes tile b % tiles and chunk b / tiles, each thread one column of the tile, so a
// warp reads neighbouring columns (coalesced) and there are enough blocks when cols is small;
// each thread sums its chunk in double and adds it to dBias once (atomicAdd: chunks of one column
// meet there, in no fixed order).
extern "C" __global__ void bias_act_bwd(const float* y, const float* dy, float* dx, float* dBias,
                                        int rows, int cols, int act, int rowsPerChunk) {
  int tiles = (cols + blockDim.x - 1) / blockDim.x;
  long long chunks = ((long long)rows + rowsPerChunk - 1) / rowsPerChunk;
  for (long long b = blockIdx.x; b < (long long)tiles * chunks; b += gridDim.x) {
    int c = (int)(b % tiles) * blockDim.x + threadIdx.x;
    long long r0 = (b / tiles) * rowsPerChunk;
    long long r1 = min((long long)rows, r0 + rowsPerChunk);
    if (c >= cols) continue;
    double sum = 0;
    for (long long r = r0; r < r1; r++) {
      long long i = r * cols + c;
      float g = dy[i] * (act == ACT_NONE ? 1.f : activate_grad(act, y[i]));
      if (dx) dx[i] = g;
      sum += g;
    }
    if (dBias) atomicAdd(dBias + c, (float)sum);
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
