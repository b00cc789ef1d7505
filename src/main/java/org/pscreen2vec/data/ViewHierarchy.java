package org.pscreen2vec.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.pscreen2vec.data.JsonTokenizer.JsonException;
import org.pscreen2vec.data.JsonTokenizer.Token;

/**
 * The parts of one RICO view hierarchy file that Screen2Vec uses, as flat arrays in tree pre-order:
 * for every node its parent, depth, class name, text, bounds and flags. Parsed in one streaming
 * pass with an explicit stack, so a tree 100,000 levels deep costs memory, not call-stack frames;
 * fields may come in any order (RICO often writes {@code children} before {@code class}).
 */
final class ViewHierarchy {
  static final byte VISIBLE = 1;
  static final byte CLICKABLE = 2;
  static final byte HAS_BOUNDS = 4;
  static final byte HAS_CHILD = 8;

  String activityName = "";
  int count;
  int maxDepth;
  boolean textTruncated;
  boolean invalidUtf8;
  int[] parent = new int[64];
  int[] depth = new int[64];
  /** (count, 4) x1, y1, x2, y2 as given (not yet clipped). */
  long[] bounds = new long[256];
  byte[] flags = new byte[64];
  /** The "class" field; see {@link #classNameOf}. */
  String[] className = new String[64];
  String[] altClassName; // "className", allocated when a file uses it
  String[] text = new String[64];

  /** Limits that keep one file's cost bounded. */
  record Limits(int maxTextChars, int maxNodes, int maxDepth) {}

  /**
   * Characters of class names and texts kept per file (16 MB): with the node limit this bounds a
   * file's memory whatever it holds; RICO's largest screens use a few thousand.
   */
  static final long MAX_CHARS_PER_FILE = 8L << 20;

  private long charsLeft = MAX_CHARS_PER_FILE;

  /** The file broke a limit or the JSON grammar; {@code reason} says which kind. */
  static final class ParseException extends Exception {
    private static final long serialVersionUID = 1L;
    final SkipReason reason;

    ParseException(SkipReason reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  private ViewHierarchy() {}

  static ViewHierarchy parse(InputStream in, Limits limits) throws IOException, ParseException {
    return parse(in, new byte[1 << 16], limits);
  }

  /** Parses with a caller-owned read buffer (reused across files to spare allocation). */
  static ViewHierarchy parse(InputStream in, byte[] buffer, Limits limits)
      throws IOException, ParseException {
    JsonTokenizer t = new JsonTokenizer(in, buffer, limits.maxTextChars(), limits.maxDepth());
    ViewHierarchy h = new ViewHierarchy();
    try {
      h.readDocument(t, limits);
      if (t.next() != Token.END) {
        throw t.error("unexpected data after the document");
      }
    } catch (JsonException e) {
      SkipReason r = e.getMessage().startsWith("nesting deeper") ? SkipReason.TOO_DEEP
          : SkipReason.MALFORMED_JSON;
      throw new ParseException(r, e.getMessage());
    }
    h.invalidUtf8 = t.sawInvalidUtf8();
    if (h.count == 0) {
      throw new ParseException(SkipReason.NO_ROOT, "no object at activity.root");
    }
    return h;
  }

  private void readDocument(JsonTokenizer t, Limits limits)
      throws IOException, JsonException, ParseException {
    Token tok = t.next();
    if (tok != Token.BEGIN_OBJECT) {
      t.skip(tok);
      return;
    }
    while ((tok = t.next()) == Token.NAME) {
      if (t.textEquals("activity_name")) {
        tok = t.next();
        if (tok == Token.STRING) {
          activityName = t.text();
        } else {
          t.skip(tok);
        }
      } else if (t.textEquals("activity")) {
        tok = t.next();
        if (tok == Token.BEGIN_OBJECT) {
          readActivity(t, limits);
        } else {
          t.skip(tok);
        }
      } else {
        t.skip(t.next());
      }
    }
  }

  private void readActivity(JsonTokenizer t, Limits limits)
      throws IOException, JsonException, ParseException {
    Token tok;
    while ((tok = t.next()) == Token.NAME) {
      if (t.textEquals("root") && count == 0) {
        tok = t.next();
        if (tok == Token.BEGIN_OBJECT) {
          readTree(t, limits);
        } else {
          t.skip(tok);
        }
      } else {
        t.skip(t.next());
      }
    }
  }

  /**
   * Reads the root node object (its BEGIN_OBJECT already consumed) and everything under it. The
   * stack holds, per open JSON container of the tree, the node it belongs to: {@code n >= 0} for
   * the object of node n, {@code -1 - n} for node n's children array.
   */
  private void readTree(JsonTokenizer t, Limits limits)
      throws IOException, JsonException, ParseException {
    int[] stack = new int[64];
    int top = 0;
    stack[top++] = addNode(-1, limits);
    while (top > 0) {
      int frame = stack[top - 1];
      Token tok = t.next();
      if (frame >= 0) { // inside node `frame`'s object
        if (tok == Token.END_OBJECT) {
          top--;
        } else if (t.textEquals("children")) {
          Token v = t.next();
          if (v == Token.BEGIN_ARRAY) {
            if (top == stack.length) {
              stack = Arrays.copyOf(stack, top * 2);
            }
            stack[top++] = -1 - frame;
          } else {
            t.skip(v);
          }
        } else {
          readField(t, frame);
        }
      } else { // inside the children array of node -1 - frame
        if (tok == Token.END_ARRAY) {
          top--;
        } else if (tok == Token.BEGIN_OBJECT) {
          int owner = -1 - frame;
          flags[owner] |= HAS_CHILD;
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, top * 2);
          }
          stack[top++] = addNode(owner, limits);
        } else {
          t.skip(tok); // a child that is not an object: ignored, as the reference does
        }
      }
    }
  }

  /** One field of node n (its NAME token just read), other than children. */
  private void readField(JsonTokenizer t, int n) throws IOException, JsonException {
    if (t.textEquals("class")) {
      className[n] = readString(t);
    } else if (t.textEquals("className")) {
      if (altClassName == null) {
        altClassName = new String[parent.length];
      }
      altClassName[n] = readString(t);
    } else if (t.textEquals("text")) {
      text[n] = readString(t);
    } else if (t.textEquals("visible-to-user") || t.textEquals("visible_to_user")) {
      Token v = t.next();
      flags[n] = (byte) (v == Token.TRUE ? flags[n] | VISIBLE : flags[n] & ~VISIBLE);
      t.skip(v);
    } else if (t.textEquals("clickable")) {
      Token v = t.next();
      flags[n] = (byte) (v == Token.TRUE ? flags[n] | CLICKABLE : flags[n] & ~CLICKABLE);
      t.skip(v);
    } else if (t.textEquals("bounds")) {
      readBounds(t, n);
    } else {
      t.skip(t.next());
    }
  }

  /** A string value, or null when the value is of another type (which is skipped). */
  private String readString(JsonTokenizer t) throws IOException, JsonException {
    Token v = t.next();
    if (v != Token.STRING) {
      t.skip(v);
      return null;
    }
    textTruncated |= t.textTruncated();
    String s = t.text();
    charsLeft -= s.length();
    if (charsLeft < 0) { // the file's strings have used their budget: keep no more
      textTruncated = true;
      return "";
    }
    return s;
  }

  /** "class" when it is a string, else "className" when that is, else null. */
  String classNameOf(int n) {
    if (className[n] != null) {
      return className[n];
    }
    return altClassName == null ? null : altClassName[n];
  }

  /** Bounds: an array of exactly four numbers; anything else leaves the node without bounds. */
  private void readBounds(JsonTokenizer t, int n) throws IOException, JsonException {
    Token v = t.next();
    if (v != Token.BEGIN_ARRAY) {
      t.skip(v);
      flags[n] &= ~HAS_BOUNDS;
      return;
    }
    long[] b = new long[4];
    int k = 0;
    boolean ok = true;
    Token e;
    while ((e = t.next()) != Token.END_ARRAY) {
      if (e == Token.NUMBER && k < 4) {
        b[k++] = toLong(t.number());
      } else {
        ok = false;
        t.skip(e);
      }
    }
    if (ok && k == 4) {
      System.arraycopy(b, 0, bounds, 4 * n, 4);
      flags[n] |= HAS_BOUNDS;
    } else {
      flags[n] &= ~HAS_BOUNDS;
    }
  }

  private static long toLong(double d) {
    if (Double.isNaN(d)) {
      return 0;
    }
    return (long) Math.max(-1e12, Math.min(1e12, d)); // clipped later; this only avoids overflow
  }

  private int addNode(int parentIndex, Limits limits) throws ParseException {
    if (count == limits.maxNodes()) {
      throw new ParseException(SkipReason.TOO_MANY_NODES,
          "more than " + limits.maxNodes() + " nodes in the view hierarchy");
    }
    if (count == parent.length) {
      int cap = count * 2;
      parent = Arrays.copyOf(parent, cap);
      depth = Arrays.copyOf(depth, cap);
      bounds = Arrays.copyOf(bounds, 4 * cap);
      flags = Arrays.copyOf(flags, cap);
      className = Arrays.copyOf(className, cap);
      if (altClassName != null) {
        altClassName = Arrays.copyOf(altClassName, cap);
      }
      text = Arrays.copyOf(text, cap);
    }
    int n = count++;
    parent[n] = parentIndex;
    depth[n] = parentIndex < 0 ? 0 : depth[parentIndex] + 1;
    maxDepth = Math.max(maxDepth, depth[n]);
    return n;
  }

  boolean visible(int n) {
    return (flags[n] & VISIBLE) != 0;
  }

  boolean clickable(int n) {
    return (flags[n] & CLICKABLE) != 0;
  }

  boolean hasBounds(int n) {
    return (flags[n] & HAS_BOUNDS) != 0;
  }

  boolean isLeaf(int n) {
    return (flags[n] & HAS_CHILD) == 0;
  }
}
