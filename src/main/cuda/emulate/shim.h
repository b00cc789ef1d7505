// Lets g++ compile the kernels of src/main/cuda as plain C++ and run them on the CPU:
// emu_launch runs a grid one (block, thread) after another (for kernels whose threads do not
// cooperate: their index arithmetic is what is checked); emu_launch_threads runs each block's
// threads as real threads with barriers for __syncthreads and per-warp exchanges for
// __shfl_down_sync (for the block reductions). Neither can show races between blocks or timing.
#pragma once
#include <algorithm>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

struct EmuDim { unsigned x = 0, y = 1, z = 1; };
inline thread_local EmuDim blockIdx, threadIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
using std::min;

inline float atomicAdd(float* a, float v) { float old = *a; *a += v; return old; }

struct alignas(16) float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }

// Cooperative emulation state of the block being run by emu_launch_threads (null otherwise).
struct EmuBlock {
  std::barrier<> block;
  std::vector<std::unique_ptr<std::barrier<>>> warps;
  std::vector<double> slots;
  explicit EmuBlock(unsigned threads) : block(threads), slots(threads) {
    for (unsigned w = 0; w < threads / 32; w++) warps.push_back(std::make_unique<std::barrier<>>(32));
  }
};
inline EmuBlock* emu_block = nullptr;

inline void __syncthreads() {
  if (emu_block) emu_block->block.arrive_and_wait();
}

// Lane l gets lane l + o's value, or its own where l + o is past the warp (as on the GPU).
template <class T> T __shfl_down_sync(unsigned, T v, int o) {
  unsigned t = threadIdx.x, lane = t & 31;
  std::barrier<>& w = *emu_block->warps[t / 32];
  emu_block->slots[t] = (double)v;
  w.arrive_and_wait();
  T r = lane + o < 32 ? (T)emu_block->slots[t + o] : v;
  w.arrive_and_wait();
  return r;
}

// Lane l gets lane l ^ o's value (the butterfly exchange).
template <class T> T __shfl_xor_sync(unsigned, T v, int o) {
  unsigned t = threadIdx.x;
  std::barrier<>& w = *emu_block->warps[t / 32];
  emu_block->slots[t] = (double)v;
  w.arrive_and_wait();
  T r = (T)emu_block->slots[(t & ~31u) | ((t & 31u) ^ (unsigned)o)];
  w.arrive_and_wait();
  return r;
}

// The lanes of a warp wait for each other (only under emu_launch_threads).
inline void __syncwarp(unsigned = 0xffffffffu) {
  if (emu_block) emu_block->warps[threadIdx.x / 32]->arrive_and_wait();
}

// Runs f for every block, the block's threads (a multiple of 32) as concurrent threads.
template <class F> void emu_launch_threads(unsigned blocks, unsigned threads, F f) {
  for (unsigned b = 0; b < blocks; b++) {
    EmuBlock state(threads);
    emu_block = &state;
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < threads; t++)
      ts.emplace_back([&, b, t] {
        gridDim.x = blocks;
        blockDim.x = threads;
        blockIdx.x = b;
        threadIdx.x = t;
        f();
      });
    for (auto& t : ts) t.join();
    emu_block = nullptr;
  }
}

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
