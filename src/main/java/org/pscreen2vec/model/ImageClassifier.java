package org.pscreen2vec.model;

import org.pscreen2vec.ops.Buf;

/** A model from images (n, pixels) to class logits: the Fashion-MNIST baselines. */
public interface ImageClassifier extends Model {
  int classes();

  /** logits(n, classes) for x(n, pixels), no gradients. */
  Buf logits(Buf x, int n);

  /**
   * Forward and backward on one batch: adds the gradient of the mean cross-entropy over the n
   * images to the parameters' gradients and returns that mean.
   */
  double lossAndGradients(Buf x, int[] labels, int n);
}
