// Convolution by im2col + cuBLAS (NHWC, k x k kernel, stride 1, zero padding, same output size)
// and 2 x 2 max pooling with stride 2.
#include "common.cuh"

// A pixel index of (images, h, w) split into image, row and column. Pixel indices fit 32 bits
// (every buffer is a Java array), so the divisions are 32-bit ones.
struct Pixel {
  long long img;
  int y, x;
  __device__ __forceinline__ Pixel(long long pix, int h, int w) {
    unsigned p = (unsigned)pix, rest = p / (unsigned)w;
    x = (int)(p - rest * (unsigned)w);
    y = (int)(rest % (unsigned)h);
    img = rest / (unsigned)h;
  }
};

// Calls KERNEL<4>(args) where c % 4 == 0 and both float pointers are 16-byte aligned, else
// KERNEL<1>(args): the conv kernels' channel width W.
#define BY_CHANNELS(KERNEL, a, b, ...)                         \
  do {                                                         \
    if (c % 4 == 0 && aligned16(a) && aligned16(b))            \
      KERNEL<4>(__VA_ARGS__);                                  \
    else                                                       \
      KERNEL<1>(__VA_ARGS__);                                  \
  } while (0)

// cols(n*h*w, k*k*c), patch order (ky, kx, ch): one thread per (pixel, kernel offset) copies the
// c channels of one source pixel (contiguous on both sides; 4 at a time where c % 4 == 0 and
// the pointers are aligned), so the index arithmetic is paid once per c elements. Pixel indices
// fit 32 bits (every buffer is a Java array): 32-bit divisions, and none for the (pixel, offset)
// split (RowCol).
template <int W>
__device__ __forceinline__ void im2col_w(const float* x, int n, int h, int w, int c, int k,
                                         int pad, float* cols) {
  int offsets = k * k, cW = c / W;
  GRID_STRIDE_RC(it, (long long)n * h * w * offsets, offsets) {
    Pixel px(it.r, h, w);
    int kk = (int)it.j;
    int kx = kk % k, ky = kk / k;
    int sy = px.y + ky - pad, sx = px.x + kx - pad;
    long long out = it.e * cW;  // (pix * offsets + kk) * c / W
    if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
      long long in = ((px.img * h + sy) * w + sx) * cW;
      for (int ch = 0; ch < cW; ch++) Floats<W>::load(x, in + ch).store(cols, out + ch);
    } else {
      Floats<W> z = {};
      for (int ch = 0; ch < cW; ch++) z.store(cols, out + ch);
    }
  }
}

extern "C" __global__ void MIN_BLOCKS(5) im2col(const float* x, int n, int h, int w, int c,
                                                int k, int pad, float* cols) {
  BY_CHANNELS(im2col_w, x, cols, x, n, h, w, c, k, pad, cols);
}

// dx(n, h, w, c) = sum of the patch gradients that read each input element (overwrites dx).
// Written as a gather, one thread per dx element (W channels of one pixel), so no two threads
// write one element.
template <int W>
__device__ __forceinline__ void col2im_w(const float* dCols, int n, int h, int w, int c, int k,
                                         int pad, float* dx) {
  int cW = c / W;
  long long patchW = (long long)k * k * cW;
  GRID_STRIDE_RC(it, (long long)n * h * w * cW, cW) {
    int ch = (int)it.j;
    Pixel px(it.r, h, w);
    double acc[W] = {};
    for (int ky = 0; ky < k; ky++) {
      int y = px.y - ky + pad;
      if (y < 0 || y >= h) continue;
      for (int kx = 0; kx < k; kx++) {
        int xx = px.x - kx + pad;
        if (xx < 0 || xx >= w) continue;
        Floats<W> v = Floats<W>::load(
            dCols, ((px.img * h + y) * w + xx) * patchW + (ky * k + kx) * cW + ch);
        for (int l = 0; l < W; l++) acc[l] += v.v[l];
      }
    }
    Floats<W> o;
    for (int l = 0; l < W; l++) o.v[l] = (float)acc[l];
    o.store(dx, it.e);
  }
}

extern "C" __global__ void MIN_BLOCKS(6) col2im(const float* dCols, int n, int h, int w, int c,
                                                int k, int pad, float* dx) {
  BY_CHANNELS(col2im_w, dCols, dx, dCols, n, h, w, c, k, pad, dx);
}

// y(n, h/2, w/2, c) = max of each 2 x 2 window; argmax = the source index (first maximum in
// window order, as the reference; -1 and -inf where every element is NaN). One thread per
// (output pixel, W channels).
template <int W>
__device__ __forceinline__ void maxpool2_fwd_w(const float* x, int n, int h, int w, int c,
                                               float* y, int* argmax) {
  int oh = h / 2, ow = w / 2, cW = c / W;
  GRID_STRIDE_RC(it, (long long)n * oh * ow * cW, cW) {
    int chW = (int)it.j;
    Pixel px(it.r, oh, ow);
    int ox = px.x, oy = px.y;
    long long img = px.img;
    int best[W];
    Floats<W> bestV;
    for (int l = 0; l < W; l++) {
      best[l] = -1;
      bestV.v[l] = -INFINITY;
    }
    for (int dy = 0; dy < 2; dy++)
      for (int dxx = 0; dxx < 2; dxx++) {
        long long src = ((img * h + 2 * oy + dy) * w + 2 * ox + dxx) * cW + chW;
        Floats<W> v = Floats<W>::load(x, src);
        for (int l = 0; l < W; l++)
          if (v.v[l] > bestV.v[l]) {
            bestV.v[l] = v.v[l];
            best[l] = (int)(src * W + l);
          }
      }
    bestV.store(y, it.e);
    for (int l = 0; l < W; l++) argmax[it.e * W + l] = best[l];
  }
}

extern "C" __global__ void MIN_BLOCKS(6) maxpool2_fwd(const float* x, int n, int h, int w,
                                                      int c, float* y, int* argmax) {
  BY_CHANNELS(maxpool2_fwd_w, x, y, x, n, h, w, c, y, argmax);
}

// dx[argmax[i]] += dy[i] (dx zeroed by the launcher first); atomics because a caller may pass
// argmax with repeats (the forward never produces them, so the sum is then exact).
extern "C" __global__ void maxpool2_bwd(const float* dy, const int* argmax, int n, float* dx) {
  GRID_STRIDE(i, n) atomicAdd(dx + argmax[i], dy[i]);
}
