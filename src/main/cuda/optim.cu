// Optimizer updates on the device: SGD with momentum and Adam over dense buffers, lazy Adam and
// Adagrad over table rows. Bias corrections c1 = 1 - b1^t and c2 = 1 - b2^t are computed on the
// host in double. The sparse updates take the rows grouped by id (see embeddings.cu): a group is
// applied in position order, so a repeated id updates as if its rows came one after another.
#include "common.cuh"

// v = mu v + g; p -= lr v
extern "C" __global__ void sgd_momentum(float* p, const float* g, float* v, int n, float lr,
                                        float mu) {
#define SGD(c) V.c = fmaf(mu, V.c, G.c); P.c -= lr * V.c;
  VEC4_LOOP(n, aligned16(p) && aligned16(g) && aligned16(v),
            float4 P = ld4(p, q); float4 G = ld4(g, q); float4 V = ld4(v, q); LANES(SGD)
            st4(v, q, V); st4(p, q, P),
            float vi = fmaf(mu, v[i], g[i]); v[i] = vi; p[i] -= lr * vi);
#undef SGD
}

__device__ __forceinline__ void adam_update(float* p, float* m, float* v, float g, float lr,
                                            float b1, float b2, float eps, double c1, double c2) {
  double mi = (double)b1 * *m + (1.0 - b1) * g;
  double vi = (double)b2 * *v + (1.0 - b2) * (double)g * g;
  *m = (float)mi;
  *v = (float)vi;
  *p = (float)(*p - lr * (mi / c1) / (sqrt(vi / c2) + eps));
}

// Adam with bias correction over all n elements.
extern "C" __global__ void adam(float* p, const float* g, float* m, float* v, int n, float lr,
                                float b1, float b2, float eps, double c1, double c2) {
#define ADAM(c) adam_update(&P.c, &M.c, &V.c, G.c, lr, b1, b2, eps, c1, c2);
  VEC4_LOOP(n, aligned16(p) && aligned16(g) && aligned16(m) && aligned16(v),
            float4 P = ld4(p, q); float4 G = ld4(g, q); float4 M = ld4(m, q);
            float4 V = ld4(v, q); LANES(ADAM) st4(p, q, P); st4(m, q, M); st4(v, q, V),
            adam_update(p + i, m + i, v + i, g[i], lr, b1, b2, eps, c1, c2));
#undef ADAM
}

// The row updates below are written once on W (see Floats in common.cuh): dimW = dim / W
// columns of W floats, W = 4 where dim % 4 == 0 and the float pointers are 16-byte aligned.

// Lazy Adam on the rows keys[g] of table(?, dim) with gradient rows(count, dim) grouped by id.
template <int W>
__device__ __forceinline__ void sparse_adam_w(float* table, int dimW, const float* rows,
                                              const int* order, const int* starts,
                                              const int* keys, int groups, float* m, float* v,
                                              float lr, float b1, float b2, float eps, double c1,
                                              double c2) {
  GRID_STRIDE_RC(it, (long long)groups * dimW, dimW) {
    long long g = it.r;
    long long t = (long long)keys[g] * dimW + it.j;
    Floats<W> P = Floats<W>::load(table, t), M = Floats<W>::load(m, t),
              V = Floats<W>::load(v, t);
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      Floats<W> G = Floats<W>::load(rows, (long long)order[q] * dimW + it.j);
      for (int l = 0; l < W; l++)
        adam_update(&P.v[l], &M.v[l], &V.v[l], G.v[l], lr, b1, b2, eps, c1, c2);
    }
    P.store(table, t);
    M.store(m, t);
    V.store(v, t);
  }
}

extern "C" __global__ void sparse_adam(float* table, int dim, const float* rows,
                                       const int* order, const int* starts, const int* keys,
                                       int groups, float* m, float* v, float lr, float b1,
                                       float b2, float eps, double c1, double c2) {
  if (dim % 4 == 0 && aligned16(table) && aligned16(rows) && aligned16(m) && aligned16(v))
    sparse_adam_w<4>(table, dim / 4, rows, order, starts, keys, groups, m, v, lr, b1, b2, eps,
                     c1, c2);
  else
    sparse_adam_w<1>(table, dim, rows, order, starts, keys, groups, m, v, lr, b1, b2, eps, c1,
                     c2);
}

// Adagrad on the rows keys[g]: acc += g^2; p -= lr g / (sqrt(acc) + eps).
template <int W>
__device__ __forceinline__ void sparse_adagrad_w(float* table, int dimW, const float* rows,
                                                 const int* order, const int* starts,
                                                 const int* keys, int groups, float* acc,
                                                 float lr, float eps) {
  GRID_STRIDE_RC(it, (long long)groups * dimW, dimW) {
    long long g = it.r;
    long long t = (long long)keys[g] * dimW + it.j;
    Floats<W> P = Floats<W>::load(table, t), A = Floats<W>::load(acc, t);
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      Floats<W> G = Floats<W>::load(rows, (long long)order[q] * dimW + it.j);
      for (int l = 0; l < W; l++) {
        double gi = G.v[l];
        double a = (double)A.v[l] + gi * gi;
        A.v[l] = (float)a;
        P.v[l] = (float)(P.v[l] - lr * gi / (sqrt(a) + eps));
      }
    }
    P.store(table, t);
    A.store(acc, t);
  }
}

extern "C" __global__ void sparse_adagrad(float* table, int dim, const float* rows,
                                          const int* order, const int* starts, const int* keys,
                                          int groups, float* acc, float lr, float eps) {
  if (dim % 4 == 0 && aligned16(table) && aligned16(rows) && aligned16(acc))
    sparse_adagrad_w<4>(table, dim / 4, rows, order, starts, keys, groups, acc, lr, eps);
  else
    sparse_adagrad_w<1>(table, dim, rows, order, starts, keys, groups, acc, lr, eps);
}
