package org.pscreen2vec.ops;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The CPU training backend: {@link JavaFloatOps} (float buffers, plain-Java fast paths for every
 * kernel) with matrix products by ND4J's native backend (OpenBLAS) above a size threshold.
 *
 * <p>System property {@code pscreen2vec.gemm} = {@code nd4j} (default) or {@code java} switches
 * every product to one path, for comparison.
 */
public class CpuOps extends JavaFloatOps {
  private static final Logger LOG = LogManager.getLogger(CpuOps.class);
  /** Products with fewer multiply-adds than this run in Java (ND4J's call overhead dominates). */
  static final long SMALL_GEMM = 32L * 32 * 32;

  private final Nd4jGemm nd4j;
  private final int threads;

  /**
   * @param threads BLAS/OpenMP threads of this process; see {@link #defaultThreads}
   */
  public CpuOps(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, was " + threads);
    }
    this.threads = threads;
    boolean useNd4j = !"java".equals(System.getProperty("pscreen2vec.gemm", "nd4j"));
    Nd4jGemm g = null;
    if (useNd4j) {
      try {
        Nd4jGemm.setThreads(threads);
        g = new Nd4jGemm();
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("ND4J native backend unavailable ({}); matrix products run in plain Java",
            e.toString());
      }
    }
    this.nd4j = g;
  }

  /**
   * Threads per rank when nothing is set: the host's cores divided by the ranks sharing this JVM
   * (multicore MPJ ranks are threads of one process and share its BLAS setting), at least 1.
   */
  public static int defaultThreads(int ranksOnHost) {
    int cores = Runtime.getRuntime().availableProcessors();
    return Math.max(1, cores / Math.max(1, ranksOnHost));
  }

  @Override
  public String name() {
    return nd4j == null ? "cpu-java" : "cpu-nd4j";
  }

  public int threads() {
    return threads;
  }

  @Override
  public void gemm(boolean ta, boolean tb, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c) {
    checkGemm(m, n, k, a, b, c);
    if (m == 0 || n == 0) {
      return;
    }
    long t0 = System.nanoTime();
    FloatBuf fa = (FloatBuf) a;
    FloatBuf fb = (FloatBuf) b;
    FloatBuf fc = (FloatBuf) c;
    if (k == 0) {
      scale(c.slice(0, m * n), beta);
    } else if (nd4j != null && (long) m * n * k >= SMALL_GEMM) {
      nd4j.gemm(ta, tb, m, n, k, (float) alpha, fa, fb, (float) beta, fc);
    } else {
      FloatKernels.gemm(ta, tb, m, n, k, (float) alpha, fa, fb, (float) beta, fc);
    }
    counters().add(ta, tb, m, n, k, System.nanoTime() - t0);
  }
}
