package org.pscreen2vec.model.layers;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/** Mean over all elements of (pred - target)^2 (the layout autoencoder's reconstruction loss). */
public final class MeanSquaredError {
  private MeanSquaredError() {}

  /** The mean loss and dPred of the mean times {@code weight}. */
  public record Result(double loss, Buf dPred) {}

  public static Result apply(Ops ops, Buf pred, Buf target, double weight) {
    return apply(ops, Workspace.none(ops), pred, target, weight);
  }

  /** {@link #apply(Ops, Buf, Buf, double)} with dPred from ws. */
  public static Result apply(Ops ops, Workspace ws, Buf pred, Buf target, double weight) {
    Buf d = ws.zeroed(pred.length());
    if (pred.length() == 0) {
      return new Result(0, d);
    }
    double sum = ops.squaredError(pred, target, d, weight / pred.length());
    return new Result(sum / pred.length(), d);
  }
}
