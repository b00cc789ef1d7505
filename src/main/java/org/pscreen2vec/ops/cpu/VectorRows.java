package org.pscreen2vec.ops.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Row updates at two offsets with the Vector API: {@code d[do + j] += s[so + j]} and {@code
 * d[do + j] += a * s[so + j]}, the inner loops of the embedding bags. C2 (JDK 17) does not
 * vectorize these loops in plain Java when the two arrays are read at different offsets
 * (docs/PERFORMANCE.md, "step" round 2: 3.5-5x slower per element than one index). Each lane
 * does what the scalar loop does to its element, in the same order (a multiply rounded to float,
 * then an add; no fused multiply-add), so the results are bitwise the plain loops'.
 *
 * <p>Only loaded when the JVM has the module ({@link DirectConv#VECTOR}).
 */
final class VectorRows {
  private static final VectorSpecies<Float> V = FloatVector.SPECIES_256;

  private VectorRows() {}

  /** d[dOff + j] += s[sOff + j] for j < n. */
  static void add(float[] d, int dOff, float[] s, int sOff, int n) {
    int j = 0;
    for (int end = V.loopBound(n); j < end; j += V.length()) {
      FloatVector.fromArray(V, d, dOff + j).add(FloatVector.fromArray(V, s, sOff + j))
          .intoArray(d, dOff + j);
    }
    for (; j < n; j++) {
      d[dOff + j] += s[sOff + j];
    }
  }

  /** d[dOff + j] += a * s[sOff + j] for j < n (the product rounded first, as in plain Java). */
  static void addScaled(float[] d, int dOff, float a, float[] s, int sOff, int n) {
    int j = 0;
    for (int end = V.loopBound(n); j < end; j += V.length()) {
      FloatVector.fromArray(V, d, dOff + j).add(FloatVector.fromArray(V, s, sOff + j).mul(a))
          .intoArray(d, dOff + j);
    }
    for (; j < n; j++) {
      d[dOff + j] += a * s[sOff + j];
    }
  }
}
