// Embedding kernels: row gather, scatter-add of row gradients, mean embedding bags forward and
// backward. Repeated ids are combined without atomics: the host groups positions by id
// (Groups.java: `order` lists positions sorted by id, stably; group g covers
// order[starts[g] .. starts[g+1]) and its id is keys[g]), and one thread per (group, column) sums
// the group's contributions in position order and adds them once. So the result is deterministic
// and equal to adding the contributions one after another.
#include "common.cuh"

// out(count, dim)[i] = table(?, dim)[ids[i]]
extern "C" __global__ void gather_rows(const float* table, int dim, const int* ids, int count,
                                       float* out) {
  long long n = (long long)count * dim;
  if (aligned16(table) && aligned16(out) && dim % 4 == 0) {
    int d4 = dim / 4;
    GRID_STRIDE_RC(it, n / 4, d4) st4(out, it.e, ld4(table, (long long)ids[it.r] * d4 + it.j));
  } else {
    GRID_STRIDE_RC(it, n, dim) out[it.e] = table[(long long)ids[it.r] * dim + it.j];
  }
}

// dTable[keys[g]] += sum of dOut[order[q]] for q in group g.
extern "C" __global__ void scatter_add_rows(const float* dOut, int dim, const int* order,
                                            const int* starts, const int* keys, int groups,
                                            float* dTable) {
  long long n = (long long)groups * dim;
  GRID_STRIDE_RC(it, n, dim) {
    long long g = it.r;
    int j = (int)it.j;
    float acc = 0.f;
    for (int q = starts[g]; q < starts[g + 1]; q++) acc += dOut[(long long)order[q] * dim + j];
    long long t = (long long)keys[g] * dim + j;
    dTable[t] += acc;
  }
}

// out(bags, dim)[b] = mean of table[ids[q]] for q in [offsets[b], offsets[b+1]); empty: zeros.
extern "C" __global__ void bag_mean_fwd(const float* table, int dim, const int* ids,
                                        const int* offsets, int bags, float* out) {
  long long n = (long long)bags * dim;
  GRID_STRIDE_RC(it, n, dim) {
    long long b = it.r, e = it.e;
    int j = (int)it.j;
    int from = offsets[b], to = offsets[b + 1];
    double sum = 0;
    for (int q = from; q < to; q++) sum += table[(long long)ids[q] * dim + j];
    out[e] = to > from ? (float)(sum / (to - from)) : 0.f;
  }
}

// dRows[keys[g]] += sum over q in group g of dOut[bagOf[order[q]]] / |that bag|, where the groups
// are the bag positions grouped by slot (bagOf maps a position to its bag).
extern "C" __global__ void bag_mean_bwd(const float* dOut, int dim, const int* offsets,
                                        const int* bagOf, const int* order, const int* starts,
                                        const int* keys, int groups, float* dRows) {
  long long n = (long long)groups * dim;
  GRID_STRIDE_RC(it, n, dim) {
    long long g = it.r;
    int j = (int)it.j;
    double acc = 0;
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      int b = bagOf[order[q]];
      acc += (double)dOut[(long long)b * dim + j] / (offsets[b + 1] - offsets[b]);
    }
    long long t = (long long)keys[g] * dim + j;
    dRows[t] += (float)acc;
  }
}
