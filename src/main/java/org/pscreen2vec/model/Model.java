package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;

/**
 * What every model exposes to training and synchronization: its dense parameters (one flat
 * store) and its sparse tables. The forward/backward entry points are model-specific (their
 * batches differ); {@code org.pscreen2vec.train} binds each model to its data.
 */
public interface Model {
  /** The name used in configs and results: fashion-mlp, fashion-cnn, layout-ae, ui2vec, screen2vec. */
  String name();

  ParameterStore parameters();

  /** Sparse tables (empty for models without text). */
  List<EmbeddingTable> tables();

  /**
   * Sets who is told, during backward, which ranges of the dense gradient are final (null: no
   * one); gradient buckets can then be synchronized while backward continues. Default: never
   * told (the whole gradient is final when the step returns).
   */
  default void onGradientsReady(GradientReady listener) {}

  /** Zeroes every gradient, dense and sparse, before a step. */
  default void zeroGrads() {
    parameters().zeroGrads();
    for (EmbeddingTable t : tables()) {
      t.zeroGrad();
    }
  }
}
