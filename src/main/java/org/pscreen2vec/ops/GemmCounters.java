package org.pscreen2vec.ops;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the matrix products of a backend did since the last {@link #reset}: calls, FLOPs (2mnk per
 * product) and time, and the distinct shapes seen (bench-step re-runs them standalone).
 */
public final class GemmCounters {
  /** A product's shape: C(m,n) from op(A)(m,k) and op(B)(k,n). */
  public record Shape(boolean transA, boolean transB, int m, int n, int k) {
    public double flops() {
      return 2.0 * m * n * k;
    }
  }

  private long calls;
  private double flops;
  private long nanos;
  private final Map<Shape, Integer> shapes = new LinkedHashMap<>();
  private boolean recordShapes;

  public synchronized void add(boolean ta, boolean tb, int m, int n, int k, long elapsedNanos) {
    calls++;
    flops += 2.0 * m * n * k;
    nanos += elapsedNanos;
    if (recordShapes) {
      shapes.merge(new Shape(ta, tb, m, n, k), 1, Integer::sum);
    }
  }

  public synchronized void reset() {
    calls = 0;
    flops = 0;
    nanos = 0;
    shapes.clear();
  }

  /** Whether to keep the distinct shapes (off by default: a map update per product). */
  public synchronized void recordShapes(boolean on) {
    recordShapes = on;
  }

  public synchronized long calls() {
    return calls;
  }

  public synchronized double flops() {
    return flops;
  }

  public synchronized long nanos() {
    return nanos;
  }

  /** Distinct shapes and how often each ran, in first-seen order. */
  public synchronized Map<Shape, Integer> shapes() {
    return new LinkedHashMap<>(shapes);
  }
}
