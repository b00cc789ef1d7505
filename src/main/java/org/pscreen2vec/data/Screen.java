package org.pscreen2vec.data;

import java.util.List;

/**
 * One RICO screen ready for the models. The layout bitmap is kept as bits (1,400 bytes instead of
 * 11,200 floats, 45 KB): a loaded data set of RICO's 70k screens then needs about 100 MB for its
 * bitmaps instead of 3.1 GB; {@link #layout()} expands a screen's bitmap into floats only when a
 * batch is built from it.
 *
 * @param id          the screen's id (file name without .json)
 * @param packageName the app's package
 * @param activity    the activity name from the view hierarchy ("" when absent)
 * @param components  labeled GUI components in tree (pre-)order; at least two
 * @param layoutBits  (2, 100, 56) layout bitmap as bits, bit {@code i = (c * 100 + y) * 56 + x} in
 *                    {@code layoutBits[i >> 6]} at position {@code i & 63}; channel 0: visible leaf
 *                    nodes with text, channel 1: without
 * @param nearest     (components, k) for each component the indices of its k nearest other
 *                    components by Screen2Vec's bounds distance, nearest first (k = min(n, count-1))
 */
public record Screen(String id, String packageName, String activity, List<GuiComponent> components,
    long[] layoutBits, int[][] nearest) {
  public static final int LAYOUT_HEIGHT = 100;
  public static final int LAYOUT_WIDTH = 56;
  public static final int LAYOUT_CHANNELS = 2;
  public static final int LAYOUT_SIZE = LAYOUT_CHANNELS * LAYOUT_HEIGHT * LAYOUT_WIDTH; // 11200
  private static final int WORDS = (LAYOUT_SIZE + 63) >>> 6;

  public Screen {
    if (layoutBits.length != WORDS) {
      throw new IllegalArgumentException("a layout bitmap has " + WORDS + " words of bits, not "
          + layoutBits.length);
    }
  }

  /** A screen from its layout bitmap as floats, each 0 or 1. */
  public Screen(String id, String packageName, String activity, List<GuiComponent> components,
      float[] layout, int[][] nearest) {
    this(id, packageName, activity, components, pack(layout), nearest);
  }

  /** The layout bitmap as (2, 100, 56) floats 0 or 1: a new array, for one batch. */
  public float[] layout() {
    float[] px = new float[LAYOUT_SIZE];
    layoutInto(px, 0);
    return px;
  }

  /** Writes the layout bitmap as floats 0 or 1 into {@code dst[off .. off + LAYOUT_SIZE)}. */
  public void layoutInto(float[] dst, int off) {
    for (int w = 0; w < WORDS; w++) {
      long bits = layoutBits[w];
      int base = off + (w << 6);
      int end = Math.min(64, LAYOUT_SIZE - (w << 6));
      for (int b = 0; b < end; b++) {
        dst[base + b] = (bits >>> b) & 1L;
      }
    }
  }

  /**
   * Floats 0 or 1 as bits.
   *
   * @throws IllegalArgumentException for another length or a value other than 0 and 1
   */
  public static long[] pack(float[] layout) {
    if (layout.length != LAYOUT_SIZE) {
      throw new IllegalArgumentException("a layout bitmap has " + LAYOUT_SIZE + " values, not "
          + layout.length);
    }
    long[] bits = new long[WORDS];
    for (int i = 0; i < LAYOUT_SIZE; i++) {
      float v = layout[i];
      if (v == 1f) {
        bits[i >>> 6] |= 1L << (i & 63);
      } else if (v != 0f) {
        throw new IllegalArgumentException("layout value " + v + " at " + i + " is not 0 or 1");
      }
    }
    return bits;
  }
}
