package org.pscreen2vec.ops.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;
import org.pscreen2vec.ops.Checks;
import org.pscreen2vec.ops.FloatBuf;

/**
 * Float GEMM on Java arrays through the OpenBLAS that ND4J's native backend loads (the same
 * {@code libopenblas_nolapack}, hence the same thread pool and thread count). Where this JVM runs
 * one rank and the project's small JNI library was built, the arrays are pinned for the product
 * and passed as they are ({@link PinnedGemm}). Otherwise a Java heap array cannot be handed to
 * native code without a copy (JavaCPP's {@code float[]} overloads copy the whole array in and
 * out: 131 ms for a 2x2 product on a 256 MB array, measured), so each operand is copied into a
 * reusable off-heap buffer (one per operand role, grown as needed) and the result copied back:
 * two memcpy-speed passes around an O(mnk) product.
 *
 * <p>{@code cblas_sgemm} is called directly on those buffers (issue 15): through {@code
 * Nd4j.gemm} each product also built ND4J arrays and a native shape buffer, 0.3-0.4 ms per call
 * (a 128x768x768 product 1.86 ms through ND4J against 1.47 ms direct, same copies, one thread;
 * docs/PERFORMANCE.md, "Screen2Vec step, round 2"). Same library, same row-major call, so the
 * same bits ({@code Nd4jGemmTest}).
 */
final class Nd4jGemm {
  private final FloatPointer[] scratch = new FloatPointer[3]; // A, B, C
  /** The held operand ({@link #hold}): its slice and its off-heap copy; null when none. */
  private FloatBuf held;
  private FloatPointer heldCopy;
  /** Products on pinned arrays, no copies ({@link PinnedGemm}). */
  private final boolean pinned;

  /** Products on pinned arrays where {@link PinnedGemm#available()}, else with copies. */
  Nd4jGemm() {
    this(true);
  }

  /** {@code pinned} false: always copy (tests compare the two paths). */
  Nd4jGemm(boolean pinned) {
    Loader.load(openblas_nolapack.class); // before PinnedGemm binds to that library
    this.pinned = pinned && PinnedGemm.available();
  }

  /** True when this instance's products run on pinned arrays. */
  boolean pinned() {
    return pinned;
  }

  static void setThreads(int threads) {
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.factory().blas().setMaxThreads(threads);
  }

  /**
   * Sets OpenBLAS's thread count when it differs: directly where {@link
   * PinnedGemm#controlsThreads()}, else through ND4J, whose JavaCPP wrapper costs about 0.11 ms a
   * call (it looks for other BLAS vendors' libraries on disk each time; OpenBLAS's own switch
   * is a variable: docs/PERFORMANCE.md, "Thread switches").
   */
  static void useThreads(int threads) {
    if (PinnedGemm.controlsThreads()) {
      if (PinnedGemm.threads() != threads) {
        PinnedGemm.setThreads(threads);
      }
    } else if (Nd4j.factory().blas().getMaxThreads() != threads) {
      Nd4j.factory().blas().setMaxThreads(threads);
    }
  }

  static int threads() {
    return PinnedGemm.controlsThreads() ? PinnedGemm.threads()
        : Nd4j.factory().blas().getMaxThreads();
  }

  /** C(m,n) = alpha op(A) op(B) + beta C on float slices (row-major). */
  void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, FloatBuf a, FloatBuf b,
      float beta, FloatBuf c) {
    if (pinned) {
      // native code reads and writes these arrays unchecked: a short slice must fail here
      Checks.gemm(m, n, k, a, b, c);
      PinnedGemm.sgemm(ta, tb, m, n, k, alpha, a.array(), a.offset(), ta ? m : k, b.array(),
          b.offset(), tb ? k : n, beta, c.array(), c.offset(), n);
      return;
    }
    FloatPointer pa = isHeld(a) ? heldCopy : load(0, a, m * k);
    FloatPointer pb = isHeld(b) ? heldCopy : load(1, b, k * n);
    FloatPointer pc = beta == 0 ? buffer(2, m * n) : load(2, c, m * n);
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor,
        ta ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans,
        m, n, k, alpha, pa, ta ? m : k, pb, tb ? k : n, beta, pc, n);
    pc.get(c.array(), c.offset(), m * n);
  }

  /**
   * Copies b off-heap once; products whose A or B is exactly this slice use that copy until
   * {@link #release}. One held operand at a time (a second hold replaces the first).
   */
  void hold(FloatBuf b) {
    if (pinned) { // nothing to copy
      return;
    }
    if (heldCopy == null || heldCopy.capacity() < b.length()) {
      if (heldCopy != null) {
        heldCopy.close();
      }
      heldCopy = new FloatPointer(Math.max(1, b.length()));
    }
    heldCopy.put(b.array(), b.offset(), b.length());
    held = b;
  }

  /** Ends the hold of b (nothing if b is no longer the held operand). */
  void release(FloatBuf b) {
    if (held == b) {
      held = null;
    }
  }

  private boolean isHeld(FloatBuf x) {
    FloatBuf h = held;
    return h != null && x.array() == h.array() && x.offset() == h.offset()
        && x.length() == h.length();
  }

  private FloatPointer load(int role, FloatBuf src, int n) {
    FloatPointer p = buffer(role, n);
    p.put(src.array(), src.offset(), n);
    return p;
  }

  /** The role's buffer, at least n floats (grown by half at least, so growth is rare). */
  private FloatPointer buffer(int role, int n) {
    FloatPointer p = scratch[role];
    if (p == null || p.capacity() < n) {
      long cap = Math.max(n, p == null ? 0 : p.capacity() + p.capacity() / 2);
      if (p != null) {
        p.close();
      }
      p = new FloatPointer(cap);
      scratch[role] = p;
    }
    return p;
  }
}
