// Shared helpers of the P-Screen2Vec kernels. Every kernel is extern "C" (its name in the fatbin
// is the name its one Java launcher in ops/cuda/Kernels.java looks up) and walks its index space
// with a grid-stride loop in 64-bit indices, so any grid size covers any n and no index wraps.
#pragma once
#include <cstdint>

#define GRID_STRIDE(i, n)                                                      \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;         \
       i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// Activation codes shared with Kernels.java (Kernels.ACT_*).
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_TANH 2
#define ACT_SIGMOID 3

__device__ __forceinline__ float activate(int act, float x) {
  switch (act) {
    case ACT_RELU: return x > 0.f ? x : 0.f;
    case ACT_TANH: return tanhf(x);
    case ACT_SIGMOID: return 1.f / (1.f + expf(-x));
    default: return x;
  }
}

// d activation / d input, written in terms of the forward output y.
__device__ __forceinline__ float activate_grad(int act, float y) {
  switch (act) {
    case ACT_RELU: return y > 0.f ? 1.f : 0.f;
    case ACT_TANH: return 1.f - y * y;
    case ACT_SIGMOID: return y * (1.f - y);
    default: return 1.f;
  }
}

// Sum of v over the block (blockDim.x a multiple of 32, at most 1024); every thread gets it.
__device__ __forceinline__ double block_sum(double v, double* shared32) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) shared32[warp] = v;
  __syncthreads();
  int warps = blockDim.x >> 5;
  v = (int)threadIdx.x < warps ? shared32[threadIdx.x] : 0.0;
  if (warp == 0) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
    if (lane == 0) shared32[0] = v;
  }
  __syncthreads();
  return shared32[0];
}

// Maximum of v over the block; every thread gets it.
__device__ __forceinline__ float block_max(float v, float* shared32) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
  int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) shared32[warp] = v;
  __syncthreads();
  int warps = blockDim.x >> 5;
  v = (int)threadIdx.x < warps ? shared32[threadIdx.x] : -INFINITY;
  if (warp == 0) {
    for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, o));
    if (lane == 0) shared32[0] = v;
  }
  __syncthreads();
  return shared32[0];
}
