package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;

/**
 * Central finite differences in double precision against an analytic gradient. Relative error
 * |a - n| / max(|a|, |n|), with tiny pairs (both below 1e-9 apart) counted as exact.
 */
public final class GradCheck {
  public static final double TOLERANCE = 1e-4;
  private static final double H = 1e-6;

  private GradCheck() {}

  /**
   * Checks up to {@code samples} elements of x (all when x is shorter): loss() recomputes the
   * forward loss; analytic(i) is the analytic gradient of element i. Returns the worst error.
   */
  public static double check(String what, Buf x, java.util.function.IntToDoubleFunction analytic,
      DoubleSupplier loss, int samples, long seed) {
    Random rnd = new Random(seed);
    int n = x.length();
    double worst = 0;
    int count = Math.min(n, samples);
    for (int s = 0; s < count; s++) {
      int i = n <= samples ? s : rnd.nextInt(n);
      double old = x.get(i);
      x.set(i, old + H);
      double plus = loss.getAsDouble();
      x.set(i, old - H);
      double minus = loss.getAsDouble();
      x.set(i, old);
      double num = (plus - minus) / (2 * H);
      double ana = analytic.applyAsDouble(i);
      double err = Math.abs(ana - num) < 1e-9 ? 0
          : Math.abs(ana - num) / Math.max(Math.abs(ana), Math.abs(num));
      if (err > TOLERANCE) {
        throw new AssertionError(String.format("%s[%d]: analytic %.10g, numeric %.10g, "
            + "relative error %.3g > %.0e", what, i, ana, num, err, TOLERANCE));
      }
      worst = Math.max(worst, err);
    }
    return worst;
  }

  /** Checks against a dense analytic gradient buffer of the same layout. */
  public static double check(String what, Buf x, Buf grad, DoubleSupplier loss, int samples,
      long seed) {
    return check(what, x, grad::get, loss, samples, seed);
  }

  /** Checks every parameter of a store (sampled) against its gradient buffer. */
  public static double checkStore(ParameterStore store, DoubleSupplier loss, int samplesPerParam,
      long seed) {
    double worst = 0;
    for (DenseParam p : store.params()) {
      worst = Math.max(worst, check(p.name(), p.value(), p.grad(), loss, samplesPerParam,
          seed + p.offset()));
    }
    return worst;
  }

  /**
   * Whole-model check: runs {@code step} (which must zero the gradients, run forward and backward
   * and return the loss) once, snapshots every dense and sparse gradient, then compares sampled
   * elements of every parameter and table (touched rows, and a few rows at random) against
   * central differences of {@code step}'s loss.
   */
  public static double checkModel(Model m, DoubleSupplier step, int samplesPerParam, long seed) {
    step.getAsDouble();
    double[] dense = m.parameters().grads().toDoubles();
    List<double[]> tables = new ArrayList<>();
    List<int[]> touched = new ArrayList<>();
    for (EmbeddingTable t : m.tables()) {
      tables.add(denseTableGrad(t));
      touched.add(t.touchedIds());
    }
    double worst = 0;
    for (DenseParam p : m.parameters().params()) {
      worst = Math.max(worst, check(p.name(), p.value(), i -> dense[p.offset() + i], step,
          samplesPerParam, seed + p.offset()));
    }
    Random rnd = new Random(seed);
    for (int k = 0; k < tables.size(); k++) {
      EmbeddingTable t = m.tables().get(k);
      double[] g = tables.get(k);
      int[] ids = touched.get(k);
      assertTrue(ids.length > 0, "no row of " + t.name() + " was touched");
      for (int s = 0; s < samplesPerParam * 2; s++) {
        int i = ids[rnd.nextInt(ids.length)] * t.dim() + rnd.nextInt(t.dim());
        worst = Math.max(worst, check(t.name() + "(touched)", t.values().slice(i, 1),
            q -> g[i], step, 1, seed));
      }
      worst = Math.max(worst, check(t.name() + "(any)", t.values(), q -> g[q], step, 10, seed));
    }
    return worst;
  }

  static double[] denseTableGrad(EmbeddingTable t) {
    int[] ids = t.touchedIds();
    Buf rows = t.gradRows();
    int dim = t.dim();
    double[] dense = new double[t.rows() * dim];
    for (int s = 0; s < ids.length; s++) {
      for (int j = 0; j < dim; j++) {
        dense[ids[s] * dim + j] += rows.get(s * dim + j);
      }
    }
    return dense;
  }

  /**
   * Checks a sparse table: every touched row's elements (sampled) against the compact gradient,
   * and a few untouched rows against zero.
   */
  public static double checkTable(EmbeddingTable t, DoubleSupplier loss, int samples, long seed) {
    int[] ids = t.touchedIds();
    int dim = t.dim();
    double[] dense = denseTableGrad(t);
    double worst = 0;
    Random rnd = new Random(seed);
    for (int s = 0; s < Math.min(samples, ids.length * dim); s++) {
      int i = ids[rnd.nextInt(ids.length)] * dim + rnd.nextInt(dim);
      worst = Math.max(worst, check(t.name() + "(touched)", t.values().slice(i, 1),
          k -> dense[i], loss, 1, seed));
    }
    worst = Math.max(worst, check(t.name() + "(any)", t.values(), k -> dense[k], loss, 10,
        seed + 1));
    assertTrue(ids.length > 0, "no row of " + t.name() + " was touched");
    return worst;
  }
}
