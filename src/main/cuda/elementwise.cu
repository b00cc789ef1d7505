// Element-wise kernels: fill, axpy, scale, products, activations, the reduction of a received
// allreduce segment. All memory-bound; one element per thread per grid-stride iteration.
#include "common.cuh"

// x[i] = v
extern "C" __global__ void fill_f32(float* x, int n, float v) {
  GRID_STRIDE(i, n) x[i] = v;
}

// y[i] += alpha * x[i]
extern "C" __global__ void axpy_f32(const float* x, float* y, int n, float alpha) {
  GRID_STRIDE(i, n) y[i] = fmaf(alpha, x[i], y[i]);
}

// x[i] *= alpha
extern "C" __global__ void scale_f32(float* x, int n, float alpha) {
  GRID_STRIDE(i, n) x[i] *= alpha;
}

// out[i] = a[i] * b[i] (accumulate = 0) or out[i] += a[i] * b[i] (accumulate = 1); out may
// alias a or b (each element is read before it is written by the same thread).
extern "C" __global__ void mul_f32(const float* a, const float* b, float* out, int n,
                                   int accumulate) {
  if (accumulate) {
    GRID_STRIDE(i, n) out[i] = fmaf(a[i], b[i], out[i]);
  } else {
    GRID_STRIDE(i, n) out[i] = a[i] * b[i];
  }
}

// dx[i] = dy[i] * act'(y[i]) from the forward output y; dx may alias dy.
extern "C" __global__ void act_bwd_f32(const float* y, const float* dy, float* dx, int n,
                                       int act) {
  GRID_STRIDE(i, n) dx[i] = dy[i] * activate_grad(act, y[i]);
}

// dst[i] += src[i]: reduces a segment received during an allreduce into the local one.
extern "C" __global__ void segment_sum_f32(const float* src, float* dst, int n) {
  GRID_STRIDE(i, n) dst[i] += src[i];
}
