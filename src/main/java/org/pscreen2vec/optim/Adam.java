package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** Adam (Kingma & Ba) with bias correction; the paper's optimizer (lr 0.001). */
public final class Adam implements DenseOptimizer {
  private final Ops ops;
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private Buf m;
  private Buf v;
  private long t;

  public Adam(Ops ops, double lr, double beta1, double beta2, double eps) {
    checkHyperParameters("Adam", lr, beta1, beta2, eps);
    this.ops = ops;
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  /** The checks of dense and sparse (lazy) Adam alike. */
  static void checkHyperParameters(String who, double lr, double beta1, double beta2,
      double eps) {
    if (!(lr > 0) || beta1 < 0 || beta1 >= 1 || beta2 < 0 || beta2 >= 1 || !(eps > 0)) {
      throw new IllegalArgumentException(who + " needs lr > 0, betas in [0, 1) and eps > 0, got "
          + "lr " + lr + ", betas " + beta1 + "/" + beta2 + ", eps " + eps);
    }
  }

  public Adam(Ops ops, double lr) {
    this(ops, lr, 0.9, 0.999, 1e-8);
  }

  @Override
  public String name() {
    return "adam";
  }

  @Override
  public void initialise(int size) {
    m = ops.alloc(size);
    v = ops.alloc(size);
    t = 0;
  }

  @Override
  public void step(Buf params, Buf grads) {
    t++;
    ops.adam(params, grads, m, v, lr, beta1, beta2, eps, t);
  }

  @Override
  public Map<String, Buf> state() {
    return Map.of("m", m, "v", v);
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public void restoreSteps(long steps) {
    t = steps;
  }

  @Override
  public void reset() {
    ops.fill(m, 0);
    ops.fill(v, 0);
    t = 0;
  }
}
