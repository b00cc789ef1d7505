package org.pscreen2vec.data;

/**
 * One labeled GUI component of a screen, as Screen2Vec defines it: its text (possibly empty), one
 * of 26 class labels ({@link #CLASS_COUNT}; 0 unknown, 24 list item, 25 drawer item) and its bounds
 * in RICO screen pixels (1440 x 2560), already clipped to the screen.
 */
public record GuiComponent(String text, int classLabel, int x1, int y1, int x2, int y2) {
  public static final int CLASS_COUNT = 26;

  public GuiComponent {
    if (text == null) {
      throw new IllegalArgumentException("text must not be null (use \"\")");
    }
    if (classLabel < 0 || classLabel >= CLASS_COUNT) {
      throw new IllegalArgumentException("class label " + classLabel + " is outside 0..25");
    }
  }
}
