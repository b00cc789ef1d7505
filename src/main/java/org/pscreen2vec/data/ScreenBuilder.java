package org.pscreen2vec.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a parsed view hierarchy into a {@link Screen} by Screen2Vec's rules: every node visible to
 * the user is a component (text or "", label with list/drawer inheritance, bounds clipped to the
 * screen), the layout bitmap comes from the visible leaves, and each component gets its nearest
 * other components by the reference bounds distance.
 */
final class ScreenBuilder {
  static final int SCREEN_WIDTH = 1440;
  static final int SCREEN_HEIGHT = 2560;

  private ScreenBuilder() {}

  /** Thrown for a screen that the rules drop; {@code reason} is the kind. */
  static final class Dropped extends Exception {
    private static final long serialVersionUID = 1L;
    final SkipReason reason;

    Dropped(SkipReason reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  static Screen build(ViewHierarchy h, String id, String packageFallback, int nearestN,
      int maxComponents) throws Dropped {
    int[] box = boxes(h);
    List<GuiComponent> components = labeled(h, box, maxComponents);
    String pkg = packageOf(h.activityName, packageFallback);
    return new Screen(id, pkg, h.activityName, components, layout(h, box),
        nearest(components, nearestN));
  }

  /** (nodes, 4) every node's bounds clipped to the screen and ordered; zeros where missing. */
  static int[] boxes(ViewHierarchy h) {
    int[] box = new int[4 * h.count];
    for (int n = 0; n < h.count; n++) {
      clip(h, n, box);
    }
    return box;
  }

  /** The labeled components, or {@link Dropped} when there are fewer than two or too many. */
  static List<GuiComponent> labeled(ViewHierarchy h, int[] box, int maxComponents)
      throws Dropped {
    List<GuiComponent> components = components(h, box, maxComponents);
    if (components.size() < 2) {
      throw new Dropped(SkipReason.TOO_FEW_COMPONENTS,
          components.size() + " labeled component(s); Screen2Vec needs at least two");
    }
    return List.copyOf(components);
  }

  /** The app package: the part of activity_name before '/', else the fallback. */
  static String packageOf(String activityName, String fallback) {
    int slash = activityName.indexOf('/');
    String p = slash >= 0 ? activityName.substring(0, slash) : "";
    return p.isBlank() ? fallback : p;
  }

  /** Clips node n's bounds to the screen and orders each pair; missing bounds are all zero. */
  private static void clip(ViewHierarchy h, int n, int[] box) {
    if (!h.hasBounds(n)) {
      return;
    }
    long[] b = h.bounds;
    int x1 = clamp(b[4 * n], SCREEN_WIDTH);
    int y1 = clamp(b[4 * n + 1], SCREEN_HEIGHT);
    int x2 = clamp(b[4 * n + 2], SCREEN_WIDTH);
    int y2 = clamp(b[4 * n + 3], SCREEN_HEIGHT);
    box[4 * n] = Math.min(x1, x2);
    box[4 * n + 1] = Math.min(y1, y2);
    box[4 * n + 2] = Math.max(x1, x2);
    box[4 * n + 3] = Math.max(y1, y2);
  }

  private static int clamp(long v, int max) {
    return (int) Math.max(0, Math.min(max, v));
  }

  /** Visible nodes in pre-order, labeled; list/drawer context flows from every ancestor. */
  private static List<GuiComponent> components(ViewHierarchy h, int[] box, int max)
      throws Dropped {
    int[] label = new int[h.count];
    byte[] context = new byte[h.count]; // bit 1: under a list, bit 2: under a drawer
    List<GuiComponent> out = new ArrayList<>();
    for (int n = 0; n < h.count; n++) {
      int p = h.parent[n];
      if (p >= 0) {
        context[n] = (byte) (context[p] | (label[p] == ClassLabels.LIST ? 1 : 0)
            | (label[p] == ClassLabels.DRAWER ? 2 : 0));
      }
      label[n] = ClassLabels.inherit(ClassLabels.of(h.classNameOf(n), h.clickable(n)),
          (context[n] & 1) != 0, (context[n] & 2) != 0);
      if (h.visible(n)) {
        if (out.size() == max) {
          throw new Dropped(SkipReason.TOO_MANY_COMPONENTS,
              "more than " + max + " labeled components");
        }
        String t = h.text[n];
        out.add(new GuiComponent(t == null || t.isBlank() ? "" : t, label[n], box[4 * n],
            box[4 * n + 1], box[4 * n + 2], box[4 * n + 3]));
      }
    }
    return out;
  }

  /**
   * (2, 100, 56) bitmap: each visible leaf fills rows floor(y1 * 100 / 2560) .. floor(y2 * 100 /
   * 2560) - 1 and the matching columns, in channel 0 when it has text, else channel 1.
   */
  /** The (2, 100, 56) layout bitmap as bits ({@link Screen#layoutBits}). */
  static long[] layout(ViewHierarchy h, int[] box) {
    long[] bits = new long[(Screen.LAYOUT_SIZE + 63) >>> 6];
    for (int n = 0; n < h.count; n++) {
      if (!h.visible(n) || !h.isLeaf(n) || !h.hasBounds(n)) {
        continue;
      }
      int c = h.text[n] != null && !h.text[n].isBlank() ? 0 : 1;
      int x1 = box[4 * n] * Screen.LAYOUT_WIDTH / SCREEN_WIDTH;
      int y1 = box[4 * n + 1] * Screen.LAYOUT_HEIGHT / SCREEN_HEIGHT;
      int x2 = box[4 * n + 2] * Screen.LAYOUT_WIDTH / SCREEN_WIDTH;
      int y2 = box[4 * n + 3] * Screen.LAYOUT_HEIGHT / SCREEN_HEIGHT;
      for (int y = y1; y < y2; y++) {
        int row = (c * Screen.LAYOUT_HEIGHT + y) * Screen.LAYOUT_WIDTH;
        for (int i = row + x1; i < row + x2; i++) {
          bits[i >>> 6] |= 1L << (i & 63);
        }
      }
    }
    return bits;
  }

  /**
   * Screen2Vec's bounds distance: the horizontal gap is the smaller of |a.x1 - b.x2| and
   * |a.x2 - b.x1| (vertical likewise), combined as sqrt(dx^2 + dy^2).
   */
  static long squaredDistance(GuiComponent a, GuiComponent b) {
    long dx = Math.min(Math.abs(a.x1() - b.x2()), Math.abs(a.x2() - b.x1()));
    long dy = Math.min(Math.abs(a.y1() - b.y2()), Math.abs(a.y2() - b.y1()));
    return dx * dx + dy * dy;
  }

  /** For each component its min(n, count - 1) nearest others, nearest first, ties by index. */
  static int[][] nearest(List<GuiComponent> comps, int n) {
    int count = comps.size();
    int k = Math.min(n, count - 1);
    int[][] out = new int[count][k];
    long[] keys = new long[count - 1];
    for (int i = 0; i < count; i++) {
      GuiComponent a = comps.get(i);
      int m = 0;
      for (int j = 0; j < count; j++) {
        if (j != i) {
          // d^2 < 2^24 and j < 2^24, so (d^2, j) packs into one sortable long
          keys[m++] = (squaredDistance(a, comps.get(j)) << 24) | j;
        }
      }
      Arrays.sort(keys);
      for (int r = 0; r < k; r++) {
        out[i][r] = (int) (keys[r] & 0xFFFFFF);
      }
    }
    return out;
  }
}
