// Losses: softmax cross-entropy over masked candidate logits (fused: max, exponentials, loss and
// gradient in one pass over a row, one block per row) and the squared error.
#include "common.cuh"

// Row r of logits(rows, cols): over the allowed columns (allowed null: all),
// loss[r] = log(sum exp(x - max)) + max - x[target], and dLogits = scale * (softmax - onehot),
// 0 at disallowed columns. One warp per row (rows are short: the model's candidates, a few
// hundred columns), reductions by warp shuffles, no block barriers; rows of up to 256 columns
// are read once into registers (K per lane; more would cost the kernel its occupancy), longer
// ones three times. dLogits may alias logits:
// x[target] is read before the __syncwarp that precedes any write, and every other element is
// read and written by the same lane. Exponentials in float (expf, within 2 ulp), their sum and
// the loss in double.
template <int K>
__device__ __forceinline__ void softmax_row(const float* x, const uint8_t* ok, int cols, int t,
                                            float scale, float* d, double* loss, int lane) {
  float v[K];
  bool use[K];
  float m = -INFINITY;
#pragma unroll
  for (int k = 0; k < K; k++) {
    int j = lane + 32 * k;
    use[k] = j < cols && (!ok || ok[j]);
    v[k] = use[k] ? x[j] : 0.f;
    if (use[k]) m = fmaxf(m, v[k]);
  }
  m = warp_max(m);
  double s = 0;
#pragma unroll
  for (int k = 0; k < K; k++) {
    v[k] = use[k] ? expf(v[k] - m) : 0.f;
    s += v[k];
  }
  s = warp_sum(s);
  double inv = 1.0 / s;
  float xt = x[t];
  __syncwarp();  // every lane has read x[t] before any lane writes
#pragma unroll
  for (int k = 0; k < K; k++) {
    int j = lane + 32 * k;
    if (j < cols) d[j] = (float)(scale * (v[k] * inv - (j == t ? 1.0 : 0.0)));
  }
  if (lane == 0) *loss = log(s) + m - xt;
}

// The same for rows longer than 256 columns: three passes over the row.
__device__ __forceinline__ void softmax_row_long(const float* x, const uint8_t* ok, int cols,
                                                 int t, float scale, float* d, double* loss,
                                                 int lane) {
  float m = -INFINITY;
#pragma unroll 4
  for (int j = lane; j < cols; j += 32)
    if (!ok || ok[j]) m = fmaxf(m, x[j]);
  m = warp_max(m);
  double s = 0;
#pragma unroll 4
  for (int j = lane; j < cols; j += 32)
    if (!ok || ok[j]) s += expf(x[j] - m);
  s = warp_sum(s);
  double inv = 1.0 / s;
  float xt = x[t];
  __syncwarp();  // every lane has read x[t] before any lane writes
  // 4 columns per lane at a time, their loads before their stores (d may alias x, so the
  // compiler would not move a load above an earlier store): 4 loads in flight, not one
  for (int j0 = lane; j0 < cols; j0 += 128) {
    float a[4];
    bool use[4];
#pragma unroll
    for (int k = 0; k < 4; k++) {
      int j = j0 + 32 * k;
      use[k] = j < cols && (!ok || ok[j]);
      a[k] = use[k] ? x[j] : 0.f;
    }
#pragma unroll
    for (int k = 0; k < 4; k++) {
      int j = j0 + 32 * k;
      double p = use[k] ? expf(a[k] - m) * inv : 0.0;
      if (j < cols) d[j] = (float)(scale * (p - (j == t ? 1.0 : 0.0)));
    }
  }
  if (lane == 0) *loss = log(s) + m - xt;
}

extern "C" __global__ void MIN_BLOCKS(5) softmax_xent(const float* logits,
                                                      const uint8_t* allowed,
                                                      const int* targets, int rows, int cols,
                                                      float scale, float* dLogits,
                                                      double* loss) {
  int lane = threadIdx.x & 31;
  long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
  for (long long r = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5; r < rows;
       r += warps) {
    const float* x = logits + r * cols;
    const uint8_t* ok = allowed ? allowed + r * cols : nullptr;
    float* d = dLogits + r * cols;
    int t = targets[r];
    if (cols <= 32) softmax_row<1>(x, ok, cols, t, scale, d, loss + r, lane);
    else if (cols <= 64) softmax_row<2>(x, ok, cols, t, scale, d, loss + r, lane);
    else if (cols <= 128) softmax_row<4>(x, ok, cols, t, scale, d, loss + r, lane);
    else if (cols <= 256) softmax_row<8>(x, ok, cols, t, scale, d, loss + r, lane);
    else softmax_row_long(x, ok, cols, t, scale, d, loss + r, lane);
  }
}

// dPred[i] = scale * 2 (p[i] - t[i]); partial[blockIdx.x] = this block's sum of (p - t)^2 in
// double (the host adds the partials in order: deterministic).
extern "C" __global__ void squared_error(const float* pred, const float* target, float* dPred,
                                         int n, float scale, double* partial) {
  __shared__ double ssum[32];
  double s = 0;
#define SQERR(c) { double d = (double)P.c - T.c; s += d * d; D.c = (float)(scale * 2.0 * d); }
  VEC4_LOOP(n, aligned16(pred) && aligned16(target) && aligned16(dPred),
            float4 P = ld4(pred, q); float4 T = ld4(target, q); float4 D; LANES(SQERR)
            st4(dPred, q, D),
            double d = (double)pred[i] - target[i]; s += d * d;
            dPred[i] = (float)(scale * 2.0 * d));
#undef SQERR
  s = block_sum(s, ssum);
  if (threadIdx.x == 0) partial[blockIdx.x] = s;
}
