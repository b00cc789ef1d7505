package org.pscreen2vec.model.layers;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** Element-wise non-linearities; backward works from the forward output y. */
public enum Activation {
  IDENTITY, RELU, TANH, SIGMOID;

  /** y = f(x); y may be x. */
  public void forward(Ops ops, Buf x, Buf y) {
    switch (this) {
      case IDENTITY -> {
        if (x != y) {
          ops.copy(x, y);
        }
      }
      case RELU -> ops.relu(x, y);
      case TANH -> ops.tanh(x, y);
      case SIGMOID -> ops.sigmoid(x, y);
      default -> throw new AssertionError(this);
    }
  }

  /** dx = dy * f'(x) computed from y = f(x); dx may be dy. */
  public void backward(Ops ops, Buf y, Buf dy, Buf dx) {
    switch (this) {
      case IDENTITY -> {
        if (dx != dy) {
          ops.copy(dy, dx);
        }
      }
      case RELU -> ops.reluBackward(y, dy, dx);
      case TANH -> ops.tanhBackward(y, dy, dx);
      case SIGMOID -> ops.sigmoidBackward(y, dy, dx);
      default -> throw new AssertionError(this);
    }
  }
}
