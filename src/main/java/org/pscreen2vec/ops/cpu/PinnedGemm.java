package org.pscreen2vec.ops.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * {@code cblas_sgemm} on Java arrays without copying them (src/main/c/pinned_gemm.c): the arrays
 * are pinned for the product ({@code GetPrimitiveArrayCritical}) and handed to the OpenBLAS that
 * ND4J loaded. {@link Nd4jGemm} uses it where {@link #available()}, and otherwise copies each
 * operand off-heap as before. Same library, same call, same bits ({@code Nd4jGemmTest}).
 *
 * <p>Used only where this JVM runs one rank (its classes come from the application class
 * loader): in a multicore job every rank's class loader would load its own copy of the library,
 * and several ranks' products would keep the shared heap's collector waiting on their critical
 * regions. A multicore job of one rank copies too, so a study's 1-worker baseline and its
 * multicore runs use the same products (niodev's baseline and runs both pin). Off with
 * {@code -Dpscreen2vec.gemm.pinned=false}.
 *
 * <p>The library also sets OpenBLAS's thread count directly ({@link #setThreads}), where it is
 * loaded, whether or not products pin.
 */
final class PinnedGemm {
  private static final Logger LOG = LogManager.getLogger(PinnedGemm.class);
  static final String RESOURCE = "libpinnedgemm-linux-x86_64.so";
  /** The library ND4J's OpenBLAS is loaded as (openblas 0.3.x through JavaCPP). */
  static final String OPENBLAS = "libopenblas_nolapack.so.0";
  /** Null when the library is loaded and bound, else why not. */
  private static final String LIBRARY_WHY_NOT = load();
  private static final String WHY_NOT = LIBRARY_WHY_NOT != null ? LIBRARY_WHY_NOT
      : Boolean.parseBoolean(System.getProperty("pscreen2vec.gemm.pinned", "true")) ? null
      : "off (-Dpscreen2vec.gemm.pinned=false)";
  /**
   * Whether OpenBLAS's thread count is read and set here, directly (about 0.11 ms less per change
   * than through ND4J, whose JavaCPP wrapper searches the disk for other BLAS libraries on every
   * call). Independent of pinned products; off with {@code -Dpscreen2vec.blas.directThreads=false}
   * (for measurements).
   */
  private static final boolean THREADS = LIBRARY_WHY_NOT == null && threads() > 0
      && Boolean.parseBoolean(System.getProperty("pscreen2vec.blas.directThreads", "true"));

  static {
    if (WHY_NOT == null) {
      LOG.debug("matrix products run on pinned Java arrays (no operand copies)");
    } else {
      LOG.info("matrix products copy their operands (slower): pinned arrays {}", WHY_NOT);
    }
    LOG.debug("OpenBLAS's thread count is set {}", THREADS ? "directly" : "through ND4J");
  }

  private PinnedGemm() {}

  /** True when products can run on pinned arrays in this JVM. */
  static boolean available() {
    return WHY_NOT == null;
  }

  /** Why products copy their operands here (null when they do not). */
  static String whyNot() {
    return WHY_NOT;
  }

  /** True when {@link #threads()} and {@link #setThreads} control OpenBLAS here. */
  static boolean controlsThreads() {
    return THREADS;
  }

  /** Loads and binds the library; null on success, else the reason it is not used. */
  private static String load() {
    if (PinnedGemm.class.getClassLoader() != ClassLoader.getSystemClassLoader()) {
      return "not in a multicore job (several ranks share this JVM)";
    }
    String why;
    try (InputStream in = PinnedGemm.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        why = "not built (src/main/c/build.sh found no gcc when the jar was built)";
      } else {
        // the JVM maps the library; the file is not needed after System.load
        Path tmp = Files.createTempFile("pscreen2vec-pinnedgemm", ".so");
        try {
          Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
          synchronized (CpuOps.NATIVE_LOAD_LOCK) {
            System.load(tmp.toString());
          }
        } finally {
          Files.deleteIfExists(tmp);
        }
        why = bind(OPENBLAS);
      }
    } catch (IOException | LinkageError e) {
      why = e.toString();
    }
    return why;
  }

  /** Finds cblas_sgemm in the loaded library {@code soname}: null, or why it could not. */
  private static native String bind(String soname);

  /** OpenBLAS's thread count; -1 when the library lacks openblas_get_num_threads. */
  static native int threads();

  /** Sets OpenBLAS's thread count; false when the library lacks openblas_set_num_threads. */
  static native boolean setThreads(int threads);

  /** C = alpha op(A) op(B) + beta C on row-major slices at the given offsets. */
  static native void sgemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a,
      int ao, int lda, float[] b, int bo, int ldb, float beta, float[] c, int co, int ldc);
}
