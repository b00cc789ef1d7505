package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** SGD with (heavy-ball) momentum: v = mu v + g; p -= lr v. mu = 0 is plain SGD. */
public final class Sgd implements DenseOptimizer {
  private final Ops ops;
  private final double lr;
  private final double momentum;
  private Buf velocity;
  private long t;

  public Sgd(Ops ops, double lr, double momentum) {
    if (!(lr > 0) || momentum < 0 || momentum >= 1) {
      throw new IllegalArgumentException("SGD needs lr > 0 and momentum in [0, 1), got lr " + lr
          + ", momentum " + momentum);
    }
    this.ops = ops;
    this.lr = lr;
    this.momentum = momentum;
  }

  @Override
  public String name() {
    return "sgd";
  }

  @Override
  public void initialise(int size) {
    velocity = ops.alloc(size);
    t = 0;
  }

  @Override
  public void step(Buf params, Buf grads) {
    ops.sgdMomentum(params, grads, velocity, lr, momentum);
    t++;
  }

  @Override
  public Map<String, Buf> state() {
    return Map.of("velocity", velocity);
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
    ops.fill(velocity, 0);
    t = 0;
  }
}
