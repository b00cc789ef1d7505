package org.pscreen2vec.data;

/**
 * Labeled grayscale images (Fashion-MNIST).
 *
 * @param pixels (count, rows * cols) row-major, scaled to [0, 1]
 * @param labels (count) class index 0..9
 */
public record ImageSet(int count, int rows, int cols, float[] pixels, int[] labels) {}
