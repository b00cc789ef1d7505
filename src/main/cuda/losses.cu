// Losses: softmax cross-entropy over masked candidate logits (fused: max, exponentials, loss and
// gradient in one pass over a row, one block per row) and the squared error.
#include "common.cuh"

// Row r of logits(rows, cols): over the allowed columns (allowed null: all),
// loss[r] = log(sum exp(x - max)) + max - x[target], and dLogits = scale * (softmax - onehot),
// 0 at disallowed columns. dLogits may alias logits: x[target] is read before the barrier that
// precedes any write, and every other element is read and written by the same thread.
// Exponentials and sums in double (as the reference); blockDim.x a multiple of 32.
extern "C" __global__ void softmax_xent(const float* logits, const uint8_t* allowed,
                                        const int* targets, int rows, int cols, float scale,
                                        float* dLogits, double* loss) {
  __shared__ float smax[32];
  __shared__ double ssum[32];
  for (long long r = blockIdx.x; r < rows; r += gridDim.x) {
    const float* x = logits + r * cols;
    const uint8_t* ok = allowed ? allowed + r * cols : nullptr;
    float m = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
      if (!ok || ok[j]) m = fmaxf(m, x[j]);
    m = block_max(m, smax);
    double s = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
      if (!ok || ok[j]) s += exp((double)x[j] - m);
    int t = targets[r];
    float xt = x[t];
    s = block_sum(s, ssum);  // ends with a barrier: every read of x above is done
    float* d = dLogits + r * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
      double p = (!ok || ok[j]) ? exp((double)x[j] - m) / s : 0.0;
      d[j] = (float)(scale * (p - (j == t ? 1.0 : 0.0)));
    }
    if (threadIdx.x == 0) loss[r] = log(s) + m - xt;
    __syncthreads();  // shared scratch is reused by the next row
  }
}

// dPred[i] = scale * 2 (p[i] - t[i]); partial[blockIdx.x] = this block's sum of (p - t)^2 in
// double (the host adds the partials in order: deterministic).
extern "C" __global__ void squared_error(const float* pred, const float* target, float* dPred,
                                         int n, float scale, double* partial) {
  __shared__ double ssum[32];
  double s = 0;
  GRID_STRIDE(i, n) {
    double d = (double)pred[i] - target[i];
    s += d * d;
    dPred[i] = (float)(scale * 2.0 * d);
  }
  s = block_sum(s, ssum);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}
