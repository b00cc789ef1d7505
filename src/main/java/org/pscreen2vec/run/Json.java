package org.pscreen2vec.run;

import java.util.Collection;
import java.util.Map;

/** Minimal JSON writing for run records (strings, numbers, booleans, lists, nested maps). */
public final class Json {
  private Json() {}

  public static String object(Map<String, ?> fields) {
    StringBuilder sb = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, ?> e : fields.entrySet()) {
      sb.append(first ? "\n  " : ",\n  ");
      first = false;
      sb.append(string(e.getKey())).append(": ").append(value(e.getValue()));
    }
    return sb.append(first ? "}" : "\n}").toString();
  }

  @SuppressWarnings("unchecked")
  static String value(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      return Double.isFinite(d) ? n.toString() : "null";
    }
    if (v instanceof Boolean) {
      return v.toString();
    }
    if (v instanceof Map<?, ?> m) {
      return object((Map<String, ?>) m).replace("\n", "\n  ");
    }
    if (v instanceof Collection<?> c) {
      StringBuilder sb = new StringBuilder("[");
      for (Object o : c) {
        sb.append(sb.length() > 1 ? ", " : "").append(value(o));
      }
      return sb.append(']').toString();
    }
    return string(v.toString());
  }

  public static String string(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}
