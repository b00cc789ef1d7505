package org.pscreen2vec.model.layers;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Mean softmax cross-entropy of rows of logits against a target column, over a candidate set per
 * row ({@code allowed}, null = every column): the loss of classification (all classes) and of
 * retrieval among candidates (in-batch negatives, context screens).
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** Result: the mean loss and dLogits(rows, cols) of the mean times {@code weight}. */
  public record Result(double loss, Buf dLogits) {}

  public static Result apply(Ops ops, Buf logits, int rows, int cols, int[] targets,
      boolean[] allowed, double weight) {
    return apply(ops, Workspace.none(ops), logits, rows, cols, targets, allowed, weight);
  }

  /** {@link #apply(Ops, Buf, int, int, int[], boolean[], double)} with dLogits from ws. */
  public static Result apply(Ops ops, Workspace ws, Buf logits, int rows, int cols,
      int[] targets, boolean[] allowed, double weight) {
    Buf d = ws.zeroed(rows * cols);
    if (rows == 0) {
      return new Result(0, d);
    }
    double sum = ops.softmaxCrossEntropy(logits, rows, cols, targets, allowed, d,
        weight / rows);
    return new Result(sum / rows, d);
  }
}
