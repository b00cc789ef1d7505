package org.pscreen2vec.data;

import java.util.List;

/**
 * Screen2Vec's mapping from Android class names to the 26 component class labels.
 *
 * <p>Follows the reference implementation ({@code convert_class_to_label.py} and {@code
 * rico_utils.py}): the simple name (after the last '.') is looked up exactly, then each table key
 * is tried in table order, first as a suffix and then as a prefix of the simple name; no match is 0
 * (unknown). Where the reference table repeats a key, the later label wins (as in a Python dict
 * literal): {@code CheckedTextView} is 18 and {@code TextView} 20. One deliberate difference: the
 * reference's "TextView is 20 if clickable, else 11" rule only fires for the bare class name {@code
 * TextView}, which real RICO files never use; here it applies whenever the matched key is {@code
 * TextView} ({@code android.widget.TextView}, {@code AppCompatTextView}, ...).
 *
 * <p>Labels 24 and 25 are not class-based: a component whose label is 0 becomes 24 when it lies
 * under a list (an ancestor labeled 12) and 25 when it lies under a drawer (7); list wins when
 * both.
 */
public final class ClassLabels {
  public static final int UNKNOWN = 0;
  public static final int LAYOUT = 2;
  public static final int DRAWER = 7;
  public static final int TEXT_INPUT = 11;
  public static final int LIST = 12;
  public static final int TEXT_BUTTON = 20;
  public static final int LIST_ITEM = 24;
  public static final int DRAWER_ITEM = 25;

  /** Human-readable names of the 26 labels, by label. */
  public static final List<String> NAMES = List.of("unknown", "advertisement", "layout",
      "bottom navigation", "button bar", "card", "checkbox", "drawer", "date picker", "image",
      "image button", "input", "list", "map view", "multi-tab", "number stepper", "on/off switch",
      "pager indicator", "radio button", "slider", "text button", "toolbar", "video", "web view",
      "list item", "drawer item");

  /** The reference table, in its order, with its final (last-wins) labels. */
  private static final String[] KEYS = {
      "AdView", "HtmlBannerWebView", "AdContainer", "ActionBarOverlayLayout", "TabLayout",
      "TabLayout$SlidingTabStrip", "TabLayout$TabView", "LinearLayout", "FitWindowsLinearLayout",
      "CustomScreenLinearLayout", "AppBarLayout", "FrameLayout", "ContentFrameLayout",
      "FitWindowsFrameLayout", "NoSaveStateFrameLayout", "RelativeLayout", "TableLayout",
      "BottomTagGroupView", "BottomBar", "ButtonBar", "CardView", "CheckBox", "CheckedTextView",
      "DrawerLayout", "DatePicker", "ImageView", "ImageButton", "GlyphView", "AppCompactButton",
      "AppCompactImageButton", "ActionMenuItemView", "ActionMenuItemPresenter", "EditText",
      "SearchBoxView", "AppCompatAutoCompleteTextView", "TextView", "TextInputLayout", "ListView",
      "RecyclerView", "ListPopUpWindow", "tabItem", "GridView", "MapView", "SlidingTab",
      "NumberPicker", "Switch", "SwitchCompat", "ViewPageIndicatorDots", "PageIndicator",
      "CircleIndicator", "PagerIndicator", "RadioButton", "SeekBar", "Button", "ToolBar",
      "Toolbar", "TitleBar", "ActionBar", "VideoView", "WebView"};
  private static final int[] LABELS = {
      1, 1, 1, 2, 2,
      2, 2, 2, 2,
      2, 2, 2, 2,
      2, 2, 2, 2,
      3, 3, 4, 5, 6, 18,
      7, 8, 9, 10, 10, 10,
      10, 10, 10, 11,
      11, 11, 20, 11, 12,
      12, 12, 12, 12, 13, 14,
      15, 16, 16, 17, 17,
      17, 17, 18, 19, 20, 21,
      21, 21, 21, 22, 23};
  private static final java.util.Map<String, Integer> EXACT = new java.util.HashMap<>();

  static {
    if (KEYS.length != LABELS.length) {
      throw new AssertionError("class table keys and labels differ in length");
    }
    for (int i = 0; i < KEYS.length; i++) {
      EXACT.put(KEYS[i], i);
    }
  }

  private ClassLabels() {}

  /**
   * The label of a node from its class name and clickability, before list/drawer inheritance.
   *
   * @param className full or simple Android class name; null or blank gives 0
   */
  public static int of(String className, boolean clickable) {
    if (className == null || className.isBlank()) {
      return UNKNOWN;
    }
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int key = matchingKey(simple);
    if (key < 0) {
      return UNKNOWN;
    }
    if (KEYS[key].equals("TextView")) {
      return clickable ? TEXT_BUTTON : TEXT_INPUT;
    }
    return LABELS[key];
  }

  /** The label after inheritance: unknown components under a list or drawer become 24 or 25. */
  public static int inherit(int label, boolean underList, boolean underDrawer) {
    if (label != UNKNOWN) {
      return label;
    }
    return underList ? LIST_ITEM : underDrawer ? DRAWER_ITEM : UNKNOWN;
  }

  private static int matchingKey(String simple) {
    Integer exact = EXACT.get(simple);
    if (exact != null) {
      return exact;
    }
    for (int i = 0; i < KEYS.length; i++) {
      if (simple.endsWith(KEYS[i]) || simple.startsWith(KEYS[i])) {
        return i;
      }
    }
    return -1;
  }
}
