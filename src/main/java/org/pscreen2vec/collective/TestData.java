package org.pscreen2vec.collective;

/**
 * Deterministic contributions for checking and benchmarking collectives: any rank can compute any
 * other rank's data locally (no gathering needed to know the right answer).
 */
public final class TestData {
  private TestData() {}

  /** An integer-valued float in [-1000, 1000]: sums over up to 8,000 ranks stay exact in float. */
  public static float integer(int rank, int i) {
    return (float) (Math.floorMod(i * 31L + rank * 17L, 2001L) - 1000);
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
    long h = 0xcbf29ce484222325L;
    for (float f : buf) {
      h ^= Float.floatToRawIntBits(f);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
