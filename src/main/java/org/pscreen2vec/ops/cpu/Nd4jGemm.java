package org.pscreen2vec.ops.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Float GEMM on Java arrays through ND4J's native backend (OpenBLAS sgemm). ND4J cannot wrap a Java
 * heap array, so each operand is copied into a reusable off-heap buffer (one per operand role,
 * grown as needed) and the result copied back: two memcpy-speed passes around an O(mnk) product.
 * bench-step reports how much of the step time this costs.
 */
final class Nd4jGemm {
  private final DataBuffer[] scratch = new DataBuffer[3]; // A, B, C
  /** Views of the scratch buffers by (role, rows, cols): each INDArray costs a native shape buffer. */
  private final java.util.Map<Long, INDArray> views = new java.util.HashMap<>();

  static void setThreads(int threads) {
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  /**
   * Sets OpenBLAS's thread count when it differs (a change costs about 0.5 ms: OpenBLAS resizes
   * its thread pool; reading it is a plain call).
   */
  static void useThreads(int threads) {
    if (Nd4j.factory().blas().getMaxThreads() != threads) {
      Nd4j.factory().blas().setMaxThreads(threads);
    }
  }

  static int threads() {
    return Nd4j.factory().blas().getMaxThreads();
  }

  /** C(m,n) = alpha op(A) op(B) + beta C on float slices. */
  void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, FloatBuf a, FloatBuf b,
      float beta, FloatBuf c) {
    INDArray na = load(0, a, ta ? k : m, ta ? m : k);
    INDArray nb = load(1, b, tb ? n : k, tb ? k : n);
    INDArray nc = beta == 0 ? view(2, m, n) : load(2, c, m, n);
    Nd4j.gemm(na, nb, nc, ta, tb, alpha, beta);
    ((FloatPointer) scratch[2].pointer()).get(c.array(), c.offset(), m * n);
  }

  private INDArray load(int role, FloatBuf src, int rows, int cols) {
    INDArray v = view(role, rows, cols);
    ((FloatPointer) scratch[role].pointer()).put(src.array(), src.offset(), rows * cols);
    return v;
  }

  private INDArray view(int role, int rows, int cols) {
    long need = (long) rows * cols;
    DataBuffer buf = scratch[role];
    if (buf == null || buf.length() < need) {
      long cap = Math.max(need, buf == null ? 0 : buf.length() + buf.length() / 2);
      buf = Nd4j.createBuffer(DataType.FLOAT, cap, false);
      scratch[role] = buf;
      views.clear(); // views of the old buffers are stale
    }
    if (views.size() > 4096) {
      views.clear(); // many distinct shapes (varying batch geometry): start over
    }
    long key = ((long) role << 62) | ((long) rows << 31) | cols;
    DataBuffer b = buf;
    return views.computeIfAbsent(key,
        k -> Nd4j.create(b, new long[] {rows, cols}, new long[] {cols, 1}, 0, 'c'));
  }
}
