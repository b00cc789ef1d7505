// The LSTM cell's element-wise step (the RNN's is bias_act_fwd/bwd with tanh, in rows.cu).
// gates(rows, 4H) holds the pre-activations [i | f | g | o] (x W + h U + b, from cuBLAS); the
// forward overwrites them with the activations [sigmoid i | sigmoid f | tanh g | sigmoid o],
// which the backward needs, and writes c = f c_prev + i g and h = o tanh(c).
#include "common.cuh"

// Both keep one 64-bit division per element (the RowCol walk of common.cuh does not pay here):
// on the H200 this form ran at 81 % (forward) and 110 % (backward) of copy bandwidth, the RowCol
// walk with a MIN_BLOCKS request at 71 % and 106 % (docs/gpu-runs, runs 1 and 9).

extern "C" __global__ void lstm_cell_fwd(float* gates, const float* cPrev, float* c, float* h,
                                         int rows, int hidden) {
  long long n = (long long)rows * hidden;
  GRID_STRIDE(e, n) {
    long long r = e / hidden;
    int j = (int)(e - r * hidden);
    float* gr = gates + r * 4LL * hidden;
    float ig = activate(ACT_SIGMOID, gr[j]);
    float fg = activate(ACT_SIGMOID, gr[hidden + j]);
    float gg = tanhf(gr[2 * hidden + j]);
    float og = activate(ACT_SIGMOID, gr[3 * hidden + j]);
    gr[j] = ig;
    gr[hidden + j] = fg;
    gr[2 * hidden + j] = gg;
    gr[3 * hidden + j] = og;
    float cv = fmaf(fg, cPrev[e], ig * gg);
    c[e] = cv;
    h[e] = og * tanhf(cv);
  }
}

// From dh and dc (the gradient reaching c from the next step; may be null) with the saved
// activations and c: dGates(rows, 4H) = gradients of the pre-activations, dcPrev = dC * f.
extern "C" __global__ void lstm_cell_bwd(const float* gates, const float* cPrev, const float* c,
                                         const float* dh, const float* dc, float* dGates,
                                         float* dcPrev, int rows, int hidden) {
  long long n = (long long)rows * hidden;
  GRID_STRIDE(e, n) {
    long long r = e / hidden;
    int j = (int)(e - r * hidden);
    const float* gr = gates + r * 4LL * hidden;
    float ig = gr[j], fg = gr[hidden + j], gg = gr[2 * hidden + j], og = gr[3 * hidden + j];
    float tc = tanhf(c[e]);
    float dC = dh[e] * og * (1.f - tc * tc) + (dc ? dc[e] : 0.f);
    float* dg = dGates + r * 4LL * hidden;
    dg[j] = dC * gg * ig * (1.f - ig);
    dg[hidden + j] = dC * cPrev[e] * fg * (1.f - fg);
    dg[2 * hidden + j] = dC * ig * (1.f - gg * gg);
    dg[3 * hidden + j] = dh[e] * tc * og * (1.f - og);
    dcPrev[e] = dC * fg;
  }
}
