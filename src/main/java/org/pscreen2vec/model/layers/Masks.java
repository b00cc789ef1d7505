package org.pscreen2vec.model.layers;

/** Which rows of a time-major padded batch are real at each step. */
final class Masks {
  private Masks() {}

  /** keep[t][r] = t < lengths[r]. */
  static boolean[][] keep(int steps, int[] lengths) {
    boolean[][] k = new boolean[steps][lengths.length];
    for (int t = 0; t < steps; t++) {
      for (int r = 0; r < lengths.length; r++) {
        if (lengths[r] < 0 || lengths[r] > steps) {
          throw new IllegalArgumentException("length " + lengths[r] + " of row " + r
              + " is outside 0.." + steps);
        }
        k[t][r] = t < lengths[r];
      }
    }
    return k;
  }

  static boolean[] not(boolean[] a) {
    boolean[] n = new boolean[a.length];
    for (int i = 0; i < a.length; i++) {
      n[i] = !a[i];
    }
    return n;
  }
}
