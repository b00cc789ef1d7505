package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** Adagrad on the touched rows of an embedding table: acc += g^2; p -= lr g / (sqrt(acc) + eps). */
public final class Adagrad implements SparseOptimizer {
  private final Ops ops;
  private final double lr;
  private final double eps;
  private Buf acc;

  public Adagrad(Ops ops, double lr, double eps) {
    if (!(lr > 0) || !(eps > 0)) {
      throw new IllegalArgumentException("Adagrad needs lr > 0 and eps > 0, got " + lr + ", "
          + eps);
    }
    this.ops = ops;
    this.lr = lr;
    this.eps = eps;
  }

  @Override
  public String name() {
    return "adagrad";
  }

  @Override
  public void initialise(int rows, int dim) {
    acc = ops.alloc(rows * dim);
  }

  @Override
  public void step(Buf table, int dim, int[] ids, Buf rows, long step) {
    ops.sparseAdagrad(table, dim, ids, rows, acc, lr, eps);
  }

  @Override
  public Map<String, Buf> state() {
    return Map.of("acc", acc);
  }

  @Override
  public void reset() {
    ops.fill(acc, 0);
  }
}
