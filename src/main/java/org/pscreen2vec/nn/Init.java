package org.pscreen2vec.nn;

import java.util.SplittableRandom;

/** How a parameter is initialized; deterministic given the random source. */
public interface Init {
  /** Value of element i of a (rows, cols) parameter. */
  double next(SplittableRandom rnd, int rows, int cols);

  static Init zeros() {
    return (r, rows, cols) -> 0;
  }

  static Init constant(double v) {
    return (r, rows, cols) -> v;
  }

  /** Glorot/Xavier uniform: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)) for a (fanIn, fanOut) weight. */
  static Init xavier() {
    return (r, rows, cols) -> {
      double a = Math.sqrt(6.0 / (rows + cols));
      return (2 * r.nextDouble() - 1) * a;
    };
  }

  /** He uniform for ReLU layers: U(-a, a) with a = sqrt(6 / fanIn). */
  static Init he() {
    return (r, rows, cols) -> {
      double a = Math.sqrt(6.0 / rows);
      return (2 * r.nextDouble() - 1) * a;
    };
  }

  /** U(-a, a). */
  static Init uniform(double a) {
    return (r, rows, cols) -> (2 * r.nextDouble() - 1) * a;
  }
}
