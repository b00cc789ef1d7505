package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * Lazy Adam for embedding tables: moments and parameters change only on the rows a step touched
 * (TensorFlow's LazyAdam), so a step costs O(touched rows), not O(table).
 */
public final class SparseAdam implements SparseOptimizer {
  private final Ops ops;
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private Buf m;
  private Buf v;

  public SparseAdam(Ops ops, double lr, double beta1, double beta2, double eps) {
    Adam.checkHyperParameters("sparse Adam", lr, beta1, beta2, eps);
    this.ops = ops;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  public SparseAdam(Ops ops, double lr) {
    this(ops, lr, 0.9, 0.999, 1e-8);
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public void initialise(int rows, int dim) {
    m = ops.alloc(rows * dim);
    v = ops.alloc(rows * dim);
  }

  @Override
  public void step(Buf table, int dim, int[] ids, Buf rows, long step) {
    ops.sparseAdam(table, dim, ids, rows, m, v, lr, beta1, beta2, eps, step);
  }

  @Override
  public Map<String, Buf> state() {
    return Map.of("m", m, "v", v);
  }

  @Override
  public void reset() {
    ops.fill(m, 0);
    ops.fill(v, 0);
  }
}
