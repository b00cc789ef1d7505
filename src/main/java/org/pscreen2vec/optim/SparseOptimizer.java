package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;

/**
 * Updates the touched rows of an embedding table only (lazy): {@link SparseAdam}, {@link Adagrad}.
 */
public interface SparseOptimizer {
  String name();

  /** Allocates state for a (rows, dim) table. */
  void initialise(int rows, int dim);

  /**
   * Applies the gradient rows(ids.length, dim) to rows ids of the table, a flat (rows, dim)
   * buffer; {@code step} is the global step (1-based) for bias correction.
   */
  void step(Buf table, int dim, int[] ids, Buf rows, long step);

  Map<String, Buf> state();

  void reset();
}
