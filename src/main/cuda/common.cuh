// Shared helpers of the P-Screen2Vec kernels. Every kernel is extern "C" (its name in the fatbin
// is the name its one Java launcher in ops/cuda/Kernels.java looks up) and walks its index space
// with a grid-stride loop in 64-bit indices, so any grid size covers any n and no index wraps.
#pragma once
#include <cstdint>

// Memory-latency-bound kernels (the profiler on an H200: ~75 % of warp cycles waiting on global
// loads, occupancy capped at 50 % by 56-64 registers per thread) ask for b blocks of 256 threads
// per SM: more warps, more loads in flight. b per kernel is the largest for which ptxas spills
// nothing (make cuda-check shows it); the kernels that would spill even at 5 blocks have none.
#define MIN_BLOCKS(b) __launch_bounds__(256, b)

#define GRID_STRIDE(i, n)                                                      \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;         \
       i < (long long)(n); i += (long long)blockDim.x * gridDim.x)

// Loads and stores of 4 consecutive floats (one 16-byte access: 4x the bytes in flight per
// thread, which a memory-bound kernel needs to come near a device copy's bandwidth).
__device__ __forceinline__ bool aligned16(const void* p) {
  return ((uintptr_t)p & 15) == 0;
}
__device__ __forceinline__ float4 ld4(const float* p, long long q) {
  return reinterpret_cast<const float4*>(p)[q];
}
__device__ __forceinline__ void st4(float* p, long long q, float4 v) {
  reinterpret_cast<float4*>(p)[q] = v;
}
// F(c) once for each lane c of a float4 (x, y, z, w).
#define LANES(F) F(x) F(y) F(z) F(w)

// W consecutive floats (W = 1 or 4) loaded and stored as one access: a kernel body written once
// as a template on W runs 4 columns per thread through 16-byte accesses where the row length is a
// multiple of 4 and the pointers are aligned (indices then count groups of W floats), and one
// column per thread elsewhere.
template <int W> struct Floats {
  float v[W];
  __device__ __forceinline__ static Floats load(const float* p, long long i) {
    Floats f;
    if constexpr (W == 4) {
      float4 t = ld4(p, i);
      f.v[0] = t.x;
      f.v[1] = t.y;
      f.v[2] = t.z;
      f.v[3] = t.w;
    } else {
      f.v[0] = p[i];
    }
    return f;
  }
  __device__ __forceinline__ void store(float* p, long long i) const {
    if constexpr (W == 4) {
      st4(p, i, make_float4(v[0], v[1], v[2], v[3]));
    } else {
      p[i] = v[0];
    }
  }
};

// The element-wise pattern: when `vec` (every pointer 16-byte aligned), VEC(q) for each group
// q of 4 elements (4q .. 4q+3) and ONE(i) for the n % 4 elements after them; else ONE(i) for
// every element. Both through grid-stride loops.
#define VEC4_LOOP(n, vec, VEC, ONE)                                            \
  do {                                                                         \
    long long n_ = (long long)(n);                                             \
    if (vec) {                                                                 \
      long long q4_ = n_ / 4;                                                  \
      GRID_STRIDE(q, q4_) { VEC; }                                             \
      GRID_STRIDE(t_, n_ - 4 * q4_) { long long i = 4 * q4_ + t_; ONE; }       \
    } else {                                                                   \
      GRID_STRIDE(i, n_) { ONE; }                                              \
    }                                                                          \
  } while (0)

// A grid-stride walk over a rows x cols index space (flat e = r * cols + j, j fastest) that keeps
// r and j current by additions: one 64-bit division per thread instead of one per element (a
// 64-bit division is a long instruction sequence on the GPU, and it made the row kernels
// instruction-bound). cols < 1 walks nothing.
struct RowCol {
  long long e, r, j, cols, step, dr, dj;
  __device__ __forceinline__ RowCol(long long cols_, long long n) : cols(cols_) {
    e = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    step = (long long)blockDim.x * gridDim.x;
    if (cols < 1) {
      e = n;
      cols = 1;
    }
    r = e / cols;
    j = e - r * cols;
    dr = step / cols;
    dj = step - dr * cols;
  }
  __device__ __forceinline__ void next() {
    e += step;
    r += dr;
    j += dj;
    if (j >= cols) {
      j -= cols;
      r++;
    }
  }
};
#define GRID_STRIDE_RC(it, n, cols) \
  for (RowCol it((cols), (long long)(n)); it.e < (long long)(n); it.next())

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

// Maximum and sum of v over the 32 lanes of a warp (all lanes active); every lane gets it.
__device__ __forceinline__ float warp_max(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
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
