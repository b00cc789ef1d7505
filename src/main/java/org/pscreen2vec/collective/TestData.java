package org.pscreen2vec.collective;

/**
 * Deterministic contributions for checking and benchmarking collectives: any rank can compute any
 * other rank's data locally (no gathering needed to know the right answer).
 */
public final class TestData {
  private TestData() {}

  /** An integer-valued float in [-1024, 1023]: sums over up to 16,000 ranks stay exact in float. */
  public static float integer(int rank, int i) {
    return integer(rank, i, 0);
  }

  /**
   * {@link #integer(int, int)} for call number {@code rep}: consecutive reps differ in every
   * element. Int arithmetic wraps modulo 2^32 and the mask keeps it modulo 2^11, so every index
   * is valid and the fill stays cheap enough for 256 MiB buffers.
   */
  public static float integer(int rank, int i, int rep) {
    return ((i * 31 + rank * 17 + rep * 7) & 2047) - 1024;
  }

  /** A uniform float in [-1, 1), a pure function of (seed, rank, i) (SplitMix64). */
  public static float uniform(long seed, int rank, int i) {
    long z = seed * 0x9E3779B97F4A7C15L + ((long) rank << 32) + i;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z ^= z >>> 31;
    return (float) ((z >>> 40) * 0x1.0p-23 - 1.0);
  }

  /** A 64-bit FNV-1a-style hash of the raw bits of every float (NaN payloads included). */
  public static long hashBits(float[] buf) {
    return hashBits(buf, buf.length);
  }

  /** The hash of {@code buf[0 .. n)}. */
  public static long hashBits(float[] buf, int n) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < n; i++) {
      h ^= Float.floatToRawIntBits(buf[i]);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
