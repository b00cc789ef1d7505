package org.pscreen2vec.ops.cuda;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Row-major products through column-major cuBLAS: a row-major C(m,n) is the column-major C^T(n,m)
 * = op(B)^T op(A)^T, so the call swaps A and B (and m and n) and keeps each one's transpose flag.
 * TF32 tensor-core math only when asked ({@code --tf32}); otherwise full float32 products.
 */
final class Blas implements AutoCloseable {
  /** A FloatPointer at a device address: cuBLAS gets device operands as pointers. */
  private static final class Device extends FloatPointer {
    Device at(long address) {
      this.address = address;
      return this;
    }
  }

  private final cublasContext handle = new cublasContext();
  private final FloatPointer alpha = new FloatPointer(1);
  private final FloatPointer beta = new FloatPointer(1);
  private final Device pa = new Device();
  private final Device pb = new Device();
  private final Device pc = new Device();
  private final boolean tf32;

  Blas(boolean tf32) {
    this.tf32 = tf32;
    check("cublasCreate", cublas.cublasCreate_v2(handle));
    check("cublasSetMathMode", cublas.cublasSetMathMode(handle,
        tf32 ? cublas.CUBLAS_TF32_TENSOR_OP_MATH : cublas.CUBLAS_DEFAULT_MATH));
  }

  boolean tf32() {
    return tf32;
  }

  /** Row-major C(m,n) = alpha op(A)(m,k) op(B)(k,n) + beta C at device addresses; m, n &gt; 0. */
  void gemm(boolean ta, boolean tb, int m, int n, int k, float alphaV, long a, long b,
      float betaV, long c) {
    alpha.put(0, alphaV);
    beta.put(0, betaV);
    int lda = Math.max(1, ta ? m : k); // A stored (k,m) when transposed, else (m,k)
    int ldb = Math.max(1, tb ? k : n); // B stored (n,k) when transposed, else (k,n)
    check("cublasSgemm(" + m + "x" + n + "x" + k + ")", cublas.cublasSgemm_v2(handle,
        tb ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N, ta ? cublas.CUBLAS_OP_T : cublas.CUBLAS_OP_N,
        n, m, k, alpha, pb.at(b), ldb, pa.at(a), lda, beta, pc.at(c), n));
  }

  private static void check(String call, int status) {
    if (status != cublas.CUBLAS_STATUS_SUCCESS) {
      String name;
      try {
        name = cublas.cublasGetStatusString(status).getString();
      } catch (RuntimeException | LinkageError e) {
        name = "(name unavailable)";
      }
      throw new CudaException(call, null, status, name);
    }
  }

  @Override
  public void close() {
    cublas.cublasDestroy_v2(handle);
  }
}
