package org.pscreen2vec.sync;

import java.util.List;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.SparseGradients;

/**
 * A strategy that can synchronize a step in parts, overlapping communication with backward (as
 * DDP's gradient buckets do): {@link #begin}, then {@link #submit} for each dense bucket as soon
 * as its gradients are final on the host (they are reduced by a communication thread while the
 * caller continues), then {@link #finish} with the last bucket and the tables once backward is
 * done. Every worker submits the same buckets in the same order ({@link Buckets#plan}). Between
 * {@code begin} and {@code finish} the caller must not communicate, and must not touch the
 * gradients of a submitted bucket.
 */
public interface BucketedSync {
  /**
   * Starts a step: this worker's dense gradients and sample count; {@code control} (null: none)
   * is the step's control block, whose findings the strategy clears now and fills in.
   */
  void begin(DenseGradients dense, int samples, StepControl control);

  /** {@code dense.grads()[from, to)} is final on the host: reduce it in the background. */
  void submit(int from, int to);

  /**
   * Reduces the last bucket {@code [from, to)} with the tables (and the control block), after
   * every submitted bucket; on return the whole dense gradient is synchronized. Returns the
   * synchronized sparse gradients, as {@link GradientSync#synchronize} does.
   */
  List<SparseGradients> finish(int from, int to, List<SparseGradients> sparse);

  /** Nanoseconds this step's reductions took in all, hidden behind backward or not. */
  long lastBusyNanos();
}
