package org.pscreen2vec.train;

import java.util.Map;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.RowRequest;

/**
 * A model bound to its data: what the trainer needs to run steps and evaluate, whatever the model.
 * Items are indices 0 .. trainSize()-1 of the training set; {@code Sharding} deals them out. A
 * step is two calls: {@link #batch} turns items into the step's inputs (and names the table rows
 * they read, so a strategy can fetch them first), {@link #step} runs forward and backward on it.
 *
 * @param <B> the task's batch type
 */
public interface Task<B extends Task.Batch> {
  /** One step's inputs, and the table rows the step reads. */
  interface Batch {
    /** Items in the batch (0 for a worker whose shard ran out). */
    int size();

    /** Per table, the distinct rows the step reads ({@link RowRequest#NONE} without tables). */
    RowRequest rows();
  }

  Model model();

  int trainSize();

  /** The inputs of a step on these training items (possibly none). */
  B batch(int[] items);

  /**
   * Forward and backward on a batch: adds the gradient of the mean loss over its items to the
   * model's (already zeroed) gradients and returns that mean (0 for an empty batch).
   */
  double step(B batch);

  /** Metrics on the held-out data, in a fixed order (names are CSV columns). */
  Map<String, Double> evaluate();

  /** A one-line description of the data (sizes), for the start-up summary. */
  String describe();
}
