package org.pscreen2vec.data;

import java.util.ArrayList;
import java.util.List;

/**
 * A node of a generated view hierarchy, with the label the generator intends it to get; written
 * as RICO JSON by {@link #writeJson}.
 */
final class GenNode {
  /** Declared label meaning "TextView rule": 20 when clickable, else 11. */
  static final int TEXT_RULE = -1;

  final String className;
  final int label;
  String text;
  String resourceId;
  final int x1;
  final int y1;
  final int x2;
  final int y2;
  boolean clickable;
  boolean visible = true;
  final List<GenNode> children = new ArrayList<>(4);

  GenNode(String className, int label, int x1, int y1, int x2, int y2) {
    this.className = className;
    this.label = label;
    this.x1 = x1;
    this.y1 = y1;
    this.x2 = x2;
    this.y2 = y2;
  }

  GenNode add(GenNode child) {
    children.add(child);
    return child;
  }

  GenNode text(String t) {
    text = t;
    return this;
  }

  GenNode clickable() {
    clickable = true;
    return this;
  }

  /** Makes this subtree invisible to the user (as Android reports gone or covered views). */
  GenNode hidden() {
    visible = false;
    for (GenNode c : children) {
      c.hidden();
    }
    return this;
  }

  int baseLabel() {
    return label == TEXT_RULE ? (clickable ? ClassLabels.TEXT_BUTTON : ClassLabels.TEXT_INPUT)
        : label;
  }

  /**
   * The components Screen2Vec's rules give this tree, by the generator's own bookkeeping (not by
   * the reader's code): visible nodes in pre-order; unknown ones under a list become 24, under a
   * drawer 25. Iterative, like the reader.
   */
  static List<GuiComponent> expectedComponents(GenNode root) {
    List<GuiComponent> out = new ArrayList<>();
    java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
    stack.push(new Object[] {root, false, false});
    while (!stack.isEmpty()) {
      Object[] f = stack.pop();
      GenNode n = (GenNode) f[0];
      boolean inList = (Boolean) f[1];
      boolean inDrawer = (Boolean) f[2];
      int l = n.baseLabel();
      if (l == 0 && inList) {
        l = ClassLabels.LIST_ITEM;
      } else if (l == 0 && inDrawer) {
        l = ClassLabels.DRAWER_ITEM;
      }
      if (n.visible) {
        out.add(new GuiComponent(n.text == null ? "" : n.text, l, n.x1, n.y1, n.x2, n.y2));
      }
      boolean childList = inList || l == ClassLabels.LIST;
      boolean childDrawer = inDrawer || l == ClassLabels.DRAWER;
      for (int i = n.children.size() - 1; i >= 0; i--) {
        stack.push(new Object[] {n.children.get(i), childList, childDrawer});
      }
    }
    return out;
  }

  /** Depth of the tree (root = 0). */
  static int depth(GenNode root) {
    int max = 0;
    java.util.ArrayDeque<Object[]> stack = new java.util.ArrayDeque<>();
    stack.push(new Object[] {root, 0});
    while (!stack.isEmpty()) {
      Object[] f = stack.pop();
      int d = (Integer) f[1];
      max = Math.max(max, d);
      for (GenNode c : ((GenNode) f[0]).children) {
        stack.push(new Object[] {c, d + 1});
      }
    }
    return max;
  }

  static int count(GenNode root) {
    int n = 1;
    for (GenNode c : root.children) {
      n += count(c);
    }
    return n;
  }

  /**
   * Writes this node in RICO's view-hierarchy form. Fields come in RICO's habitual mixed order
   * ({@code children} before {@code class}), so the reader cannot depend on order. Generated trees
   * are shallow (about ten levels), so recursion is safe here.
   */
  void writeJson(StringBuilder sb, String packageName) {
    sb.append("{\"ancestors\":[");
    String[] anc = ancestors();
    for (int i = 0; i < anc.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append('"').append(anc[i]).append('"');
    }
    sb.append("],\"clickable\":").append(clickable);
    sb.append(",\"bounds\":[").append(x1).append(',').append(y1).append(',').append(x2)
        .append(',').append(y2).append(']');
    sb.append(",\"visibility\":\"").append(visible ? "visible" : "gone").append('"');
    sb.append(",\"content-desc\":[null],\"focusable\":").append(clickable);
    if (!children.isEmpty()) {
      sb.append(",\"children\":[");
      for (int i = 0; i < children.size(); i++) {
        if (i > 0) {
          sb.append(',');
        }
        children.get(i).writeJson(sb, packageName);
      }
      sb.append(']');
    }
    sb.append(",\"class\":\"").append(className).append('"');
    if (text != null) {
      sb.append(",\"text\":");
      quote(sb, text);
    }
    sb.append(",\"visible-to-user\":").append(visible);
    if (resourceId != null) {
      sb.append(",\"resource-id\":");
      quote(sb, packageName + ":id/" + resourceId);
    }
    sb.append(",\"package\":\"").append(packageName).append("\"}");
  }

  private String[] ancestors() {
    if (className.endsWith("Layout") || className.endsWith("View") && !children.isEmpty()) {
      return new String[] {"android.view.ViewGroup", "android.view.View", "java.lang.Object"};
    }
    return new String[] {"android.view.View", "java.lang.Object"};
  }

  static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c > 0x7E) { // \\uXXXX as Python's json.dump writes it (ensure_ascii)
            sb.append("\\u");
            String hex = Integer.toHexString(c);
            for (int k = hex.length(); k < 4; k++) {
              sb.append('0');
            }
            sb.append(hex);
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
