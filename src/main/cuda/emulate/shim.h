// Lets g++ compile the kernels of src/main/cuda as plain C++ and run them on the CPU, one
// (block, thread) after another: emulate.cpp checks their index arithmetic (grid-stride loops,
// im2col/col2im, pooling, grouped rows, column chunks) against direct loops. Sequential
// emulation cannot show races or warp-level behaviour, so the two kernels with block reductions
// (softmax_xent, squared_error) compile here but are checked only on a GPU (CudaOpsConformanceTest).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

struct EmuDim { unsigned x = 0, y = 1, z = 1; };
inline EmuDim blockIdx, threadIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
using std::min;

inline float atomicAdd(float* a, float v) { float old = *a; *a += v; return old; }
inline void __syncthreads() {}
template <class T> T __shfl_down_sync(unsigned, T v, int) { return v; }  // never run

// Runs f for every (block, thread) of a 1-D grid.
template <class F> void emu_launch(unsigned blocks, unsigned threads, F f) {
  gridDim.x = blocks;
  blockDim.x = threads;
  for (unsigned b = 0; b < blocks; b++)
    for (unsigned t = 0; t < threads; t++) {
      blockIdx.x = b;
      threadIdx.x = t;
      f();
    }
}
