package org.pscreen2vec.sync;

import java.util.List;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.SparseGradients;

/** Strategy {@code none}: one worker, nothing to agree on; the baseline of every speed-up. */
public final class NoSync implements GradientSync {
  @Override
  public String name() {
    return "none";
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients dense, List<SparseGradients> sparse,
      int samples) {
    return sparse;
  }

  /** Nothing to pack: no synchronization. */
  @Override
  public long lastLocalNanos() {
    return 0;
  }
}
