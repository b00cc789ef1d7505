package org.pscreen2vec.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.pscreen2vec.data.GuiComponent;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;

/**
 * Small deterministic in-memory screens and traces for model tests: a few apps with their own
 * words, screens of 2..6 components (some with empty or repeated texts), sparse layout bitmaps,
 * nearest-component lists by position.
 */
public final class TestScreens {
  private static final String[] WORDS = {"login", "password", "search", "cart", "settings",
      "profile", "play", "next", "back", "ok", "cancel", "home", "feed", "share", "map"};

  private TestScreens() {}

  public static Screen screen(Random r, String pkg, String id, int comps) {
    List<GuiComponent> list = new ArrayList<>();
    for (int i = 0; i < comps; i++) {
      String text = switch (r.nextInt(5)) {
        case 0 -> "";
        case 1 -> WORDS[r.nextInt(WORDS.length)] + " " + WORDS[r.nextInt(WORDS.length)];
        default -> WORDS[r.nextInt(WORDS.length)];
      };
      int y = 100 * i;
      list.add(new GuiComponent(text, r.nextInt(GuiComponent.CLASS_COUNT), 0, y, 1440, y + 90));
    }
    float[] layout = new float[Screen.LAYOUT_SIZE];
    for (int k = 0; k < 200; k++) {
      layout[r.nextInt(layout.length)] = 1;
    }
    int[][] nearest = new int[comps][];
    for (int i = 0; i < comps; i++) {
      int k = Math.min(3, comps - 1);
      nearest[i] = new int[k];
      int q = 0;
      for (int d = 1; q < k; d++) {
        if (i - d >= 0 && q < k) {
          nearest[i][q++] = i - d;
        }
        if (i + d < comps && q < k) {
          nearest[i][q++] = i + d;
        }
      }
    }
    return new Screen(id, pkg, pkg + ".Main", list, layout, nearest);
  }

  /** traces of 2..5 screens over two apps. */
  public static List<Trace> traces(long seed, int count) {
    Random r = new Random(seed);
    List<Trace> out = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      String pkg = "com.app" + (t % 2);
      List<Screen> screens = new ArrayList<>();
      int len = 2 + r.nextInt(4);
      for (int s = 0; s < len; s++) {
        screens.add(screen(r, pkg, "t" + t + "s" + s, 2 + r.nextInt(5)));
      }
      out.add(new Trace(pkg, "trace_" + t, screens));
    }
    return out;
  }

  public static Map<String, String> descriptions() {
    return Map.of("com.app0", "a shopping app with cart and search", "com.app1", "");
  }
}
