package org.pscreen2vec.nn;

/** Stable 64-bit hashing (the same on every JVM and rank): FNV-1a with a SplitMix64 finalizer. */
public final class Hashing {
  private Hashing() {}

  public static long hash64(CharSequence s) {
    return hash64(s, 0, s.length(), 0);
  }

  /** Hash of s[from, to) with a salt. */
  public static long hash64(CharSequence s, int from, int to, long salt) {
    long h = 0xcbf29ce484222325L ^ salt;
    for (int i = from; i < to; i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return mix(h);
  }

  public static long mix(long x) {
    x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
    x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
    return x ^ (x >>> 31);
  }
}
