package org.pscreen2vec.data;

import java.util.List;

/**
 * One RICO screen ready for the models.
 *
 * @param id          the screen's id (file name without .json)
 * @param packageName the app's package
 * @param activity    the activity name from the view hierarchy ("" when absent)
 * @param components  labeled GUI components in tree (pre-)order; at least two
 * @param layout      (2, 100, 56) layout bitmap, index {@code (c * 100 + y) * 56 + x}; channel 0:
 *                    visible leaf nodes with text, channel 1: without; values 0 or 1
 * @param nearest     (components, k) for each component the indices of its k nearest other
 *                    components by Screen2Vec's bounds distance, nearest first (k = min(n, count-1))
 */
public record Screen(String id, String packageName, String activity, List<GuiComponent> components,
    float[] layout, int[][] nearest) {
  public static final int LAYOUT_HEIGHT = 100;
  public static final int LAYOUT_WIDTH = 56;
  public static final int LAYOUT_CHANNELS = 2;
  public static final int LAYOUT_SIZE = LAYOUT_CHANNELS * LAYOUT_HEIGHT * LAYOUT_WIDTH; // 11200
}
