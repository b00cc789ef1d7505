package org.pscreen2vec.train;

import java.util.Map;
import org.pscreen2vec.model.Model;

/**
 * A model bound to its data: what the trainer needs to run steps and evaluate, whatever the model.
 * Items are indices 0 .. trainSize()-1 of the training set; {@code Sharding} deals them out.
 */
public interface Task {
  Model model();

  int trainSize();

  /**
   * Forward and backward on these training items (possibly none): adds the gradient of the mean
   * loss over them to the model's (already zeroed) gradients and returns that mean (0 for none).
   */
  double step(int[] items);

  /**
   * The distinct rows of each sparse table (in {@code model().tables()} order) that
   * {@link #step} will read for these items, so that a strategy can fetch them first
   * ({@link org.pscreen2vec.sync.GradientSync#prepare}). Models without tables return an empty array.
   */
  default int[][] tableRows(int[] items) {
    return new int[0][];
  }

  /** Metrics on the held-out data, in a fixed order (names are CSV columns). */
  Map<String, Double> evaluate();

  /** A one-line description of the data (sizes), for the start-up summary. */
  String describe();
}
