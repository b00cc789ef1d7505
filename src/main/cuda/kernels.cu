// The one translation unit nvcc compiles into kernels.fatbin (SASS sm_80 and sm_90, PTX
// compute_90 for newer GPUs): every kernel family of the CUDA backend. Each extern "C" kernel
// has exactly one launcher in src/main/java/org/pscreen2vec/ops/cuda/Kernels.java.
#include "elementwise.cu"
#include "rows.cu"
#include "embeddings.cu"
#include "losses.cu"
#include "conv.cu"
#include "optim.cu"
#include "lstm.cu"
