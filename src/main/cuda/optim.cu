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

// Lazy Adam on the rows keys[g] of table(?, dim) with gradient rows(count, dim) grouped by id.
extern "C" __global__ void sparse_adam(float* table, int dim, const float* rows,
                                       const int* order, const int* starts, const int* keys,
                                       int groups, float* m, float* v, float lr, float b1,
                                       float b2, float eps, double c1, double c2) {
  long long n = (long long)groups * dim;
  GRID_STRIDE_RC(it, n, dim) {
    long long g = it.r;
    int j = (int)it.j;
    long long t = (long long)keys[g] * dim + j;
    for (int q = starts[g]; q < starts[g + 1]; q++)
      adam_update(table + t, m + t, v + t, rows[(long long)order[q] * dim + j], lr, b1, b2, eps,
                  c1, c2);
  }
}

// Adagrad on the rows keys[g]: acc += g^2; p -= lr g / (sqrt(acc) + eps).
extern "C" __global__ void sparse_adagrad(float* table, int dim, const float* rows,
                                          const int* order, const int* starts, const int* keys,
                                          int groups, float* acc, float lr, float eps) {
  long long n = (long long)groups * dim;
  GRID_STRIDE_RC(it, n, dim) {
    long long g = it.r;
    int j = (int)it.j;
    long long t = (long long)keys[g] * dim + j;
    for (int q = starts[g]; q < starts[g + 1]; q++) {
      double gi = rows[(long long)order[q] * dim + j];
      double a = (double)acc[t] + gi * gi;
      acc[t] = (float)a;
      table[t] = (float)(table[t] - lr * gi / (sqrt(a) + eps));
    }
  }
}
