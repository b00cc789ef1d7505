package org.pscreen2vec.sync;

import java.util.List;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.nn.SparseGradients;

/**
 * How workers agree on a step's gradient: one implementation per strategy (none, ring, naive,
 * star, mpj, ps, hybrid), chosen by name ({@link org.pscreen2vec.sync.Strategies}). Like DDP, a
 * strategy is built around a finished model: it receives the model's parameters and tables at
 * construction and makes every worker start from worker 0's values.
 *
 * <p>Contract, called by every worker once per step after backward and before the optimizer:
 * <ul>
 *   <li>{@code dense.grads()} is the model's whole flat gradient buffer (every dense parameter, one
 *       {@code float[]}, see {@code ParameterStore}); on entry it holds the gradient of the mean
 *       loss over this worker's {@code samples} items (zeros when {@code samples} is 0). On return
 *       it must hold the gradient of the mean loss over all workers' items, i.e. the
 *       sample-weighted average {@code sum_w samples_w * g_w / sum_w samples_w}, identical on every
 *       worker. The buffer is live: reduce it in place, do not keep it past the call.</li>
 *   <li>{@code sparse} has one entry per embedding table, in a fixed order the same on every
 *       worker: this worker's distinct touched row ids and one gradient row each (row-sparse,
 *       unsorted, first {@code count} entries valid), same weighting as the dense part. The method
 *       returns the synchronized sparse gradients (for example the union of all workers' rows, in
 *       any order), which the trainer's sparse optimizer then applies.</li>
 *   <li>A strategy that applies the optimizer itself (parameter servers) says so with
 *       {@link #appliesDenseUpdate()} / {@link #appliesSparseUpdate()}, writes the new values
 *       into {@code dense.params()} / the tables' {@code values} arrays before returning, and the
 *       trainer skips its own optimizer for that part.</li>
 * </ul>
 * Every worker makes the same sequence of calls with the same buffer lengths, so collective
 * strategies never wait for a step that another worker never starts.
 */
public interface GradientSync extends AutoCloseable {
  /** The name on the command line and in results. */
  String name();

  /** See the class comment; returns the sparse gradients the sparse optimizer should apply. */
  List<SparseGradients> synchronize(DenseGradients dense, List<SparseGradients> sparse,
      int samples);

  /**
   * True when {@link #synchronize(DenseGradients, List, int, StepControl)} carries the step's
   * control block (stop flag, non-finite findings, checksums) inside its own messages, so that
   * the workers need no separate agreement; it then also finds the non-finite gradients itself.
   */
  default boolean carriesControl() {
    return false;
  }

  /**
   * As {@link #synchronize(DenseGradients, List, int)}, carrying {@code control} when {@link
   * #carriesControl()}; afterwards {@code control} holds every worker's words. Default: ignores
   * it (the caller agrees some other way).
   */
  default List<SparseGradients> synchronize(DenseGradients dense, List<SparseGradients> sparse,
      int samples, StepControl control) {
    return synchronize(dense, sparse, samples);
  }

  /**
   * Called by every worker before each step's forward pass with, per table, the distinct rows that
   * step will read. A strategy whose tables live elsewhere (parameter servers) writes the current
   * values of those rows into the local tables here. Default: nothing (the local tables are
   * current).
   */
  default void fetch(RowRequest rows) {}

  /**
   * Makes every local parameter current (called before evaluating): a strategy whose tables live
   * elsewhere pulls them whole. Default: nothing.
   */
  default void pullAll() {}

  /** True when the strategy updates the dense parameters itself. */
  /**
   * True when parameter-server ranks hold part of the model's state in this run (ps, hybrid), so
   * a checkpoint is complete only with their files; false under allreduce, also when the job has
   * server ranks that {@code auto} left idle.
   */
  default boolean usesServers() {
    return false;
  }

  default boolean appliesDenseUpdate() {
    return false;
  }

  /** True when the strategy updates the sparse tables itself. */
  default boolean appliesSparseUpdate() {
    return false;
  }

  /**
   * Nanoseconds of the last step's synchronization this rank spent in its own passes over the
   * gradients outside any exchange with other ranks: weighing them into a fused buffer and back
   * out (an allreduce's packing), not the collective's or the servers' messages nor the sums a
   * collective makes between them. On one host these passes compete for the cores as compute
   * does, so the cost model's validation takes them from the run as it takes the compute. -1
   * where the strategy does not measure them.
   */
  default long lastLocalNanos() {
    return -1;
  }

  /** Bytes this rank sent for synchronization so far. */
  default long bytesSent() {
    return 0;
  }

  /** Bytes this rank received for synchronization so far. */
  default long bytesReceived() {
    return 0;
  }

  @Override
  default void close() {}
}
