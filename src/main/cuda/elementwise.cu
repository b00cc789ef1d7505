// Element-wise kernels: fill, axpy, scale, products, activations, the reduction of a received
// allreduce segment. All memory-bound: 4 elements per thread per grid-stride iteration through
// 16-byte accesses where every pointer is aligned (VEC4_LOOP), one element otherwise.
#include "common.cuh"

// x[i] = v
extern "C" __global__ void fill_f32(float* x, int n, float v) {
  VEC4_LOOP(n, aligned16(x), st4(x, q, make_float4(v, v, v, v)), x[i] = v);
}

// y[i] += alpha * x[i]
extern "C" __global__ void axpy_f32(const float* x, float* y, int n, float alpha) {
#define AXPY(c) b.c = fmaf(alpha, a.c, b.c);
  VEC4_LOOP(n, aligned16(x) && aligned16(y),
            float4 a = ld4(x, q); float4 b = ld4(y, q); LANES(AXPY) st4(y, q, b),
            y[i] = fmaf(alpha, x[i], y[i]));
#undef AXPY
}

// x[i] *= alpha
extern "C" __global__ void scale_f32(float* x, int n, float alpha) {
#define SCALE(c) a.c *= alpha;
  VEC4_LOOP(n, aligned16(x), float4 a = ld4(x, q); LANES(SCALE) st4(x, q, a), x[i] *= alpha);
#undef SCALE
}

// out[i] = a[i] * b[i] (accumulate = 0) or out[i] += a[i] * b[i] (accumulate = 1); out may
// alias a or b (each element is read before it is written by the same thread).
extern "C" __global__ void mul_f32(const float* a, const float* b, float* out, int n,
                                   int accumulate) {
  bool vec = aligned16(a) && aligned16(b) && aligned16(out);
  if (accumulate) {
#define MULADD(c) o.c = fmaf(u.c, v.c, o.c);
    VEC4_LOOP(n, vec, float4 u = ld4(a, q); float4 v = ld4(b, q); float4 o = ld4(out, q);
              LANES(MULADD) st4(out, q, o), out[i] = fmaf(a[i], b[i], out[i]));
#undef MULADD
  } else {
#define MUL(c) u.c *= v.c;
    VEC4_LOOP(n, vec, float4 u = ld4(a, q); float4 v = ld4(b, q); LANES(MUL) st4(out, q, u),
              out[i] = a[i] * b[i]);
#undef MUL
  }
}

// dx[i] = dy[i] * act'(y[i]) from the forward output y; dx may alias dy.
extern "C" __global__ void act_bwd_f32(const float* y, const float* dy, float* dx, int n,
                                       int act) {
#define ACTB(c) d.c *= activate_grad(act, v.c);
  VEC4_LOOP(n, aligned16(y) && aligned16(dy) && aligned16(dx),
            float4 v = ld4(y, q); float4 d = ld4(dy, q); LANES(ACTB) st4(dx, q, d),
            dx[i] = dy[i] * activate_grad(act, y[i]));
#undef ACTB
}

// dst[i] += src[i]: reduces a segment received during an allreduce into the local one.
extern "C" __global__ void segment_sum_f32(const float* src, float* dst, int n) {
#define SUM(c) d.c += s.c;
  VEC4_LOOP(n, aligned16(src) && aligned16(dst),
            float4 s = ld4(src, q); float4 d = ld4(dst, q); LANES(SUM) st4(dst, q, d),
            dst[i] += src[i]);
#undef SUM
}
