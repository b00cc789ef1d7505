// Embedding kernels: row gather, scatter-add of row gradients, mean embedding bags forward and
// backward. Repeated ids are combined without atomics: the host groups positions by id
// (Groups.java: `order` lists positions sorted by id, stably; group g covers
// order[starts[g] .. starts[g+1]) and its id is keys[g]), and one thread per (group, column) sums
// the group's contributions in position order and adds them once. So the result is deterministic
// and equal to adding the contributions one after another.
#include "common.cuh"

// out(count, dim)[i] = table(?, dim)[ids[i]]
extern "C" __global__ void MIN_BLOCKS(6) gather_rows(const float* table, int dim,
                                                     const int* ids, int count, float* out) {
  long long n = (long long)count * dim;
  if (aligned16(table) && aligned16(out) && dim % 4 == 0) {
    int d4 = dim / 4;
    GRID_STRIDE_RC(it, n / 4, d4) st4(out, it.e, ld4(table, (long long)ids[it.r] * d4 + it.j));
  } else {
    GRID_STRIDE_RC(it, n, dim) out[it.e] = table[(long long)ids[it.r] * dim + it.j];
  }
}

// The (group or bag, column) kernels below are written once on W (see Floats in common.cuh):
// dimW = dim / W columns of W floats; the kernel takes W = 4 when dim % 4 == 0 and its float
// pointers are 16-byte aligned.

// dTable[keys[g]] += sum of dOut[order[q]] for q in group g.
template <int W>
__device__ __forceinline__ void scatter_add_w(const float* dOut, int dimW, const int* order,
                                              const int* starts, const int* keys, int groups,
                                              float* dTable) {
  GRID_STRIDE_RC(it, (long long)groups * dimW, dimW) {
    long long g = it.r;
    float acc[W] = {};
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      Floats<W> v = Floats<W>::load(dOut, (long long)order[q] * dimW + it.j);
      for (int l = 0; l < W; l++) acc[l] += v.v[l];
    }
    long long t = (long long)keys[g] * dimW + it.j;
    Floats<W> o = Floats<W>::load(dTable, t);
    for (int l = 0; l < W; l++) o.v[l] += acc[l];
    o.store(dTable, t);
  }
}

extern "C" __global__ void MIN_BLOCKS(6) scatter_add_rows(const float* dOut, int dim,
                                                          const int* order, const int* starts,
                                                          const int* keys, int groups,
                                                          float* dTable) {
  if (dim % 4 == 0 && aligned16(dOut) && aligned16(dTable))
    scatter_add_w<4>(dOut, dim / 4, order, starts, keys, groups, dTable);
  else
    scatter_add_w<1>(dOut, dim, order, starts, keys, groups, dTable);
}

// out(bags, dim)[b] = mean of table[ids[q]] for q in [offsets[b], offsets[b+1]); empty: zeros.
template <int W>
__device__ __forceinline__ void bag_mean_fwd_w(const float* table, int dimW, const int* ids,
                                               const int* offsets, int bags, float* out) {
  GRID_STRIDE_RC(it, (long long)bags * dimW, dimW) {
    long long b = it.r;
    int from = offsets[b], to = offsets[b + 1];
    double sum[W] = {};
    for (int q = from; q < to; q++) {
      Floats<W> v = Floats<W>::load(table, (long long)ids[q] * dimW + it.j);
      for (int l = 0; l < W; l++) sum[l] += v.v[l];
    }
    Floats<W> o;
    for (int l = 0; l < W; l++) o.v[l] = to > from ? (float)(sum[l] / (to - from)) : 0.f;
    o.store(out, it.e);
  }
}

extern "C" __global__ void MIN_BLOCKS(6) bag_mean_fwd(const float* table, int dim,
                                                      const int* ids, const int* offsets,
                                                      int bags, float* out) {
  if (dim % 4 == 0 && aligned16(table) && aligned16(out))
    bag_mean_fwd_w<4>(table, dim / 4, ids, offsets, bags, out);
  else
    bag_mean_fwd_w<1>(table, dim, ids, offsets, bags, out);
}

// dRows[keys[g]] += sum over q in group g of dOut[bagAt[q]] / sizeAt[q], where the groups are
// the bag positions grouped by slot and the host resolved each grouped position's bag and that
// bag's size (bagAt, sizeAt: two loads in parallel instead of a chain of four).
template <int W>
__device__ __forceinline__ void bag_mean_bwd_w(const float* dOut, int dimW, const int* bagAt,
                                               const int* sizeAt, const int* starts,
                                               const int* keys, int groups, float* dRows) {
  GRID_STRIDE_RC(it, (long long)groups * dimW, dimW) {
    long long g = it.r;
    double acc[W] = {};
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      int size = sizeAt[q];
      Floats<W> v = Floats<W>::load(dOut, (long long)bagAt[q] * dimW + it.j);
      for (int l = 0; l < W; l++) acc[l] += (double)v.v[l] / size;
    }
    long long t = (long long)keys[g] * dimW + it.j;
    Floats<W> o = Floats<W>::load(dRows, t);
    for (int l = 0; l < W; l++) o.v[l] += (float)acc[l];
    o.store(dRows, t);
  }
}

extern "C" __global__ void bag_mean_bwd(const float* dOut, int dim, const int* bagAt,
                                        const int* sizeAt, const int* starts, const int* keys,
                                        int groups, float* dRows) {
  if (dim % 4 == 0 && aligned16(dOut) && aligned16(dRows))
    bag_mean_bwd_w<4>(dOut, dim / 4, bagAt, sizeAt, starts, keys, groups, dRows);
  else
    bag_mean_bwd_w<1>(dOut, dim, bagAt, sizeAt, starts, keys, groups, dRows);
}
