// Row and column kernels on row-major (rows, cols) matrices: the fused bias + activation forward
// and backward (bias gradient as a column sum), column copies, row selection.
#include "common.cuh"

// y(rows, cols) = act(x + bias[col]) (bias may be null: activation alone); y may alias x.
// Serves addRowVector (act none, y = x), relu, tanh, sigmoid and the RNN step's tanh(pre + b).
extern "C" __global__ void bias_act_fwd(const float* x, const float* bias, float* y, int rows,
                                        int cols, int act) {
  long long n = (long long)rows * cols;
  bool vec = aligned16(x) && aligned16(y);
  if (!bias) {
#define ACT(c) v.c = activate(act, v.c);
    VEC4_LOOP(n, vec, float4 v = ld4(x, q); LANES(ACT) st4(y, q, v), y[i] = activate(act, x[i]));
#undef ACT
  } else if (vec && aligned16(bias) && cols % 4 == 0) {
#define BACT(c) v.c = activate(act, v.c + b.c);
    GRID_STRIDE_RC(it, n / 4, cols / 4) {
      float4 v = ld4(x, it.e);
      float4 b = ld4(bias, it.j);
      LANES(BACT)
      st4(y, it.e, v);
    }
#undef BACT
  } else {
    GRID_STRIDE_RC(it, n, cols) y[it.e] = activate(act, x[it.e] + bias[it.j]);
  }
}

// dx[r, c] = dy[r, c] * act'(y[r, c]) (skipped when dx is null; dx may alias dy) and
// dBias[c] += sum over r of that (skipped when dBias is null); y may be null when act is none.
// The (rows, cols) matrix is cut into column tiles and row chunks of rowsPerChunk: block b takes
// tile b % tiles and chunk b / tiles, each thread one column of the tile (4 neighbouring columns
// through 16-byte accesses where cols % 4 == 0 and the pointers are aligned), so a warp reads
// neighbouring columns (coalesced) and there are enough blocks when cols is small; each thread
// sums its chunk in double and adds it to dBias once (atomicAdd: chunks of one column meet
// there, in no fixed order).
extern "C" __global__ void bias_act_bwd(const float* y, const float* dy, float* dx, float* dBias,
                                        int rows, int cols, int act, int rowsPerChunk) {
  long long chunks = ((long long)rows + rowsPerChunk - 1) / rowsPerChunk;
  bool vec = cols % 4 == 0 && aligned16(dy) && (!dx || aligned16(dx))
             && (act == ACT_NONE || aligned16(y));
  if (vec) {
    int c4n = cols / 4;
    int tiles = (c4n + blockDim.x - 1) / blockDim.x;
    for (long long b = blockIdx.x; b < (long long)tiles * chunks; b += gridDim.x) {
      int c4 = (int)(b % tiles) * blockDim.x + threadIdx.x;
      long long r0 = (b / tiles) * rowsPerChunk;
      long long r1 = min((long long)rows, r0 + rowsPerChunk);
      if (c4 >= c4n) continue;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      // rows in groups of U, every load of a group before its stores (dx may alias dy, so the
      // compiler would not move a later row's load above an earlier row's store): U loads in
      // flight per thread instead of one; the sums still run row after row
      constexpr int U = 4;
      for (long long r = r0; r < r1; r += U) {
        int u = (int)min((long long)U, r1 - r);
        float4 g[U], v[U];
#pragma unroll
        for (int k = 0; k < U; k++)
          if (k < u) g[k] = ld4(dy, (r + k) * c4n + c4);
        if (act != ACT_NONE) {
#pragma unroll
          for (int k = 0; k < U; k++)
            if (k < u) v[k] = ld4(y, (r + k) * c4n + c4);
        }
#pragma unroll
        for (int k = 0; k < U; k++) {
          if (k >= u) break;
          if (act != ACT_NONE) {
#define GRAD(c) g[k].c *= activate_grad(act, v[k].c);
            LANES(GRAD)
#undef GRAD
          }
          if (dx) st4(dx, (r + k) * c4n + c4, g[k]);
          s0 += g[k].x;
          s1 += g[k].y;
          s2 += g[k].z;
          s3 += g[k].w;
        }
      }
      if (dBias) {
        atomicAdd(dBias + 4 * c4, (float)s0);
        atomicAdd(dBias + 4 * c4 + 1, (float)s1);
        atomicAdd(dBias + 4 * c4 + 2, (float)s2);
        atomicAdd(dBias + 4 * c4 + 3, (float)s3);
      }
    }
    return;
  }
  int tiles = (cols + blockDim.x - 1) / blockDim.x;
  for (long long b = blockIdx.x; b < (long long)tiles * chunks; b += gridDim.x) {
    int c = (int)(b % tiles) * blockDim.x + threadIdx.x;
    long long r0 = (b / tiles) * rowsPerChunk;
    long long r1 = min((long long)rows, r0 + rowsPerChunk);
    if (c >= cols) continue;
    double sum = 0;
    for (long long r = r0; r < r1; r++) {
      long long i = r * cols + c;
      float g = dy[i] * (act == ACT_NONE ? 1.f : activate_grad(act, y[i]));
      if (dx) dx[i] = g;
      sum += g;
    }
    if (dBias) atomicAdd(dBias + c, (float)sum);
  }
}

// dst(rows, dstCols)[r, dstCol + j] = src(rows, srcCols)[r, srcCol + j] for j < width.
extern "C" __global__ void copy_columns(const float* src, int srcCols, int srcCol, float* dst,
                                        int dstCols, int dstCol, int rows, int width) {
  long long n = (long long)rows * width;
  if (aligned16(src) && aligned16(dst) && (srcCols | srcCol | dstCols | dstCol | width) % 4 == 0) {
    int s4 = srcCols / 4, d4 = dstCols / 4, sc4 = srcCol / 4, dc4 = dstCol / 4;
    GRID_STRIDE_RC(it, n / 4, width / 4)
      st4(dst, it.r * d4 + dc4 + it.j, ld4(src, it.r * s4 + sc4 + it.j));
  } else {
    GRID_STRIDE_RC(it, n, width)
      dst[it.r * dstCols + dstCol + it.j] = src[it.r * srcCols + srcCol + it.j];
  }
}

// out(rows, cols)[r] = keep[r] ? a[r] : (b ? b[r] : 0); out may alias a or b. zeroRows passes
// a = out = x and b = null.
extern "C" __global__ void select_rows(const uint8_t* keep, const float* a, const float* b,
                                       float* out, int rows, int cols) {
  long long n = (long long)rows * cols;
  if (aligned16(a) && (!b || aligned16(b)) && aligned16(out) && cols % 4 == 0) {
    GRID_STRIDE_RC(it, n / 4, cols / 4)
      st4(out, it.e, keep[it.r] ? ld4(a, it.e) : b ? ld4(b, it.e) : make_float4(0, 0, 0, 0));
  } else {
    GRID_STRIDE_RC(it, n, cols) out[it.e] = keep[it.r] ? a[it.e] : (b ? b[it.e] : 0.f);
  }
}
