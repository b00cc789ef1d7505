package org.pscreen2vec.sync;

import org.pscreen2vec.collective.TestData;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Ops;

/**
 * A small convex problem with exactly the parts that make strategies differ — a dense weight
 * vector and a sparse embedding table — for checking strategies against each other exactly.
 *
 * <p>Sample i has dense features x_i (dense) and {@link #IDS_PER_SAMPLE} distinct row ids, all
 * even (odd rows are never touched); the model predicts {@code w . x + sum over ids of sum(E[id])}
 * and the loss is {@code (pred - y)^2 / 2}, with y from hidden true parameters. Everything is a
 * pure function of (seed, i), so every rank can build any sample.
 */
public final class ConvexProblem {
  public static final int IDS_PER_SAMPLE = 3;
  public final long seed;
  public final int dense; // dense parameters
  public final int rows; // table rows
  public final int dim; // table row width

  public ConvexProblem(long seed, int dense, int rows, int dim) {
    if (rows < 2 * IDS_PER_SAMPLE) {
      throw new IllegalArgumentException("the table needs at least " + 2 * IDS_PER_SAMPLE
          + " rows");
    }
    this.seed = seed;
    this.dense = dense;
    this.rows = rows;
    this.dim = dim;
  }

  public float x(int sample, int j) {
    return TestData.uniform(seed, sample, j);
  }

  /** The distinct, even row ids of a sample. */
  public int[] ids(int sample) {
    int[] ids = new int[IDS_PER_SAMPLE];
    int evenRows = (rows + 1) / 2;
    int start = (int) Math.floorMod((long) sample * 7919L + seed, evenRows);
    for (int k = 0; k < IDS_PER_SAMPLE; k++) {
      ids[k] = 2 * ((start + k * 3) % evenRows);
    }
    return ids;
  }

  /** Target from hidden parameters (w* = x-like values, table* = small constants). */
  public float y(int sample) {
    double y = 0;
    for (int j = 0; j < dense; j++) {
      y += x(sample, j) * TestData.uniform(seed + 1, 0, j);
    }
    for (int id : ids(sample)) {
      y += 0.1 * ((id % 10) - 5);
    }
    return (float) y;
  }

  /** Initial dense parameters (every rank the same). */
  public float[] initialDense() {
    float[] w = new float[dense];
    for (int j = 0; j < dense; j++) {
      w[j] = 0.1f * TestData.uniform(seed + 2, 0, j);
    }
    return w;
  }

  /** Initial table (rows, dim) (every rank the same). */
  /** The table "E" (rows, dim) holding {@link #initialTable()}. */
  public EmbeddingTable table(Ops ops) {
    EmbeddingTable et = new EmbeddingTable(ops, "E", rows, dim, 0, 0);
    float[] init = initialTable();
    for (int i = 0; i < init.length; i++) {
      et.values().set(i, init[i]);
    }
    return et;
  }

  public float[] initialTable() {
    float[] t = new float[rows * dim];
    for (int i = 0; i < t.length; i++) {
      t[i] = 0.05f * TestData.uniform(seed + 3, 0, i);
    }
    return t;
  }

  public float predict(int sample, float[] w, float[] table) {
    double p = 0;
    for (int j = 0; j < dense; j++) {
      p += w[j] * x(sample, j);
    }
    for (int id : ids(sample)) {
      for (int k = 0; k < dim; k++) {
        p += table[id * dim + k];
      }
    }
    return (float) p;
  }

  /** Mean loss over samples [0, n). */
  public double loss(int n, float[] w, float[] table) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      double r = predict(i, w, table) - y(i);
      s += 0.5 * r * r;
    }
    return s / n;
  }
}
