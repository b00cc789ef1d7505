package org.pscreen2vec.ops;

/** Argument checks that every backend applies the same way (the conformance suite relies on it). */
public final class Checks {
  private Checks() {}

  /** Throws unless a and b have equal lengths. */
  /** A buffer length a backend is asked to allocate: not negative. */
  public static void allocLength(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("buffer length must not be negative: " + n);
    }
  }

  public static void sameLength(Buf a, Buf b) {
    if (a.length() != b.length()) {
      throw new IllegalArgumentException("buffer lengths differ: " + a.length() + " and "
          + b.length());
    }
  }

  /** Throws unless A, B and C are long enough for a (m x k) * (k x n) product. */
  public static void gemm(int m, int n, int k, Buf a, Buf b, Buf c) {
    if (m < 0 || n < 0 || k < 0) {
      throw new IllegalArgumentException("gemm dimensions must not be negative: m " + m + ", n "
          + n + ", k " + k);
    }
    if (a.length() < (long) m * k || b.length() < (long) k * n || c.length() < (long) m * n) {
      throw new IllegalArgumentException(String.format(
          "gemm (%d x %d) * (%d x %d): buffers too short (A %d, B %d, C %d)", m, k, k, n,
          a.length(), b.length(), c.length()));
    }
  }

  /** Throws unless [bufOff, bufOff + n) lies in buf and [arrOff, arrOff + n) in an array. */
  public static void transfer(Buf buf, int bufOff, int arrayLength, int arrOff, int n) {
    if (n < 0 || bufOff < 0 || arrOff < 0 || (long) bufOff + n > buf.length()
        || (long) arrOff + n > arrayLength) {
      throw new IndexOutOfBoundsException("transfer of " + n + " elements: buffer [" + bufOff
          + ", " + ((long) bufOff + n) + ") of " + buf.length() + ", array [" + arrOff + ", "
          + ((long) arrOff + n) + ") of " + arrayLength);
    }
  }
}
