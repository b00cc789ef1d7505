package org.pscreen2vec.nn;

/**
 * The dense half of one step's gradients, as a synchronization strategy sees it: the model's
 * whole flat gradient buffer and its flat parameter buffer (same layout, see {@link
 * ParameterStore}). Both arrays are the live buffers, not copies.
 *
 * @param grads  (length) gradient of this worker's mean loss; a strategy replaces it in place
 * @param params (length) the parameters; written only by strategies that apply the update
 *               themselves (parameter servers)
 * @param length number of dense scalars
 */
public record DenseGradients(float[] grads, float[] params, int length) {}
