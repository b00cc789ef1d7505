// Convolution by im2col + cuBLAS (NHWC, k x k kernel, stride 1, zero padding, same output size)
// and 2 x 2 max pooling with stride 2.
#include "common.cuh"

// cols(n*h*w, k*k*c): one thread per element, patch order (ky, kx, ch).
extern "C" __global__ void im2col(const float* x, int n, int h, int w, int c, int k, int pad,
                                  float* cols) {
  int patch = k * k * c;
  long long total = (long long)n * h * w * patch;
  // pixel indices fit 32 bits (every buffer is a Java array): 32-bit divisions per element, and
  // none for the (pixel, patch entry) split (RowCol)
  GRID_STRIDE_RC(it, total, patch) {
    long long e = it.e;
    unsigned pix = (unsigned)it.r;
    int p = (int)it.j;
    int ch = p % c, kk = p / c, kx = kk % k, ky = kk / k;
    int xx = (int)(pix % (unsigned)w);
    unsigned rest = pix / (unsigned)w;
    int y = (int)(rest % (unsigned)h);
    long long img = rest / (unsigned)h;
    int sy = y + ky - pad, sx = xx + kx - pad;
    bool inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
    cols[e] = inside ? x[((img * h + sy) * w + sx) * c + ch] : 0.f;
  }
}

// dx(n, h, w, c) = sum of the patch gradients that read each input element (overwrites dx).
// Written as a gather, one thread per dx element, so no two threads write one element.
extern "C" __global__ void col2im(const float* dCols, int n, int h, int w, int c, int k, int pad,
                                  float* dx) {
  long long patch = (long long)k * k * c;
  long long total = (long long)n * h * w * c;
  GRID_STRIDE_RC(it, total, c) {
    long long e = it.e;
    int ch = (int)it.j;
    unsigned pix = (unsigned)it.r;
    int sx = (int)(pix % (unsigned)w);
    unsigned rest = pix / (unsigned)w;
    int sy = (int)(rest % (unsigned)h);
    long long img = rest / (unsigned)h;
    double acc = 0;
    for (int ky = 0; ky < k; ky++) {
      int y = sy - ky + pad;
      if (y < 0 || y >= h) continue;
      for (int kx = 0; kx < k; kx++) {
        int xx = sx - kx + pad;
        if (xx < 0 || xx >= w) continue;
        acc += dCols[((img * h + y) * w + xx) * patch + (ky * k + kx) * c + ch];
      }
    }
    dx[e] = (float)acc;
  }
}

// y(n, h/2, w/2, c) = max of each 2 x 2 window; argmax = the source index (first maximum in
// window order, as the reference; -1 and -inf where every element is NaN).
extern "C" __global__ void maxpool2_fwd(const float* x, int n, int h, int w, int c, float* y,
                                        int* argmax) {
  int oh = h / 2, ow = w / 2;
  long long total = (long long)n * oh * ow * c;
  GRID_STRIDE_RC(it, total, c) {
    long long e = it.e;
    int ch = (int)it.j;
    unsigned pix = (unsigned)it.r;
    int ox = (int)(pix % (unsigned)ow);
    unsigned rest = pix / (unsigned)ow;
    int oy = (int)(rest % (unsigned)oh);
    long long img = rest / (unsigned)oh;
    int best = -1;
    float bestV = -INFINITY;
    for (int dy = 0; dy < 2; dy++)
      for (int dxx = 0; dxx < 2; dxx++) {
        long long src = ((img * h + 2 * oy + dy) * w + 2 * ox + dxx) * c + ch;
        float v = x[src];
        if (v > bestV) { bestV = v; best = (int)src; }
      }
    y[e] = bestV;
    argmax[e] = best;
  }
}

// dx[argmax[i]] += dy[i] (dx zeroed by the launcher first); atomics because a caller may pass
// argmax with repeats (the forward never produces them, so the sum is then exact).
extern "C" __global__ void maxpool2_bwd(const float* dy, const int* argmax, int n, float* dx) {
  GRID_STRIDE(i, n) atomicAdd(dx + argmax[i], dy[i]);
}
