package org.pscreen2vec.run;

import java.util.Arrays;

/** Median, minimum and maximum of repeated timings (warm-up already excluded by the caller). */
public record Stats(double median, double min, double max, int n) {
  public static Stats of(double[] values) {
    if (values.length == 0) {
      return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
    }
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    double med = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return new Stats(med, v[0], v[n - 1], n);
  }
}
