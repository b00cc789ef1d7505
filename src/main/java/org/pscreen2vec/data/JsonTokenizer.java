package org.pscreen2vec.data;

import java.io.IOException;
import java.io.InputStream;

/**
 * A pull tokenizer for JSON that never recurses and bounds its memory: strings longer than a cap
 * are scanned to their end but only their first characters are kept, nesting deeper than a cap is
 * an error, and invalid UTF-8 becomes U+FFFD. The grammar is checked (commas, colons, brackets, a
 * single top-level value), so a truncated or garbled file ends in {@link JsonException}, never in a
 * hang or a runtime exception.
 */
final class JsonTokenizer {
  enum Token { BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, NAME, STRING, NUMBER, TRUE,
    FALSE, NULL, END }

  /** Malformed input; the message says what and at which byte. */
  static final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
      super(message);
    }
  }

  private static final int MAX_NUMBER_CHARS = 64;
  /** Field names are kept up to this length whatever the value cap (longer ones match nothing). */
  private static final int MAX_NAME_CHARS = 256;
  private static final char REPLACEMENT = '\uFFFD';

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int limit;
  private long consumed; // bytes before buf[0]
  private final int maxDepth;

  private byte[] stack = new byte[32]; // 'O' object, 'A' array
  private int depth;
  private boolean needComma; // the current container already holds a value
  private boolean afterName; // inside an object, a name and ':' were read, a value comes next
  private boolean topDone;

  private char[] text;
  private int textLen;
  private int keepChars;
  private int textLimit;
  private boolean textTruncated;
  private boolean sawInvalidUtf8;
  private final char[] numberChars = new char[MAX_NUMBER_CHARS];
  private int numberLen;

  /**
   * @param buffer read buffer, reused across files by the caller (at least 1 KiB)
   */
  JsonTokenizer(InputStream in, byte[] buffer, int maxStringChars, int maxDepth) {
    this.in = in;
    this.buf = buffer;
    this.text = new char[Math.min(Math.max(16, maxStringChars), 1024)];
    this.keepChars = maxStringChars;
    this.maxDepth = maxDepth;
  }

  /** Characters kept of each string value from now on; 0 while skipping (then names too). */
  void keepChars(int n) {
    keepChars = n;
  }

  int depth() {
    return depth;
  }

  /** The text of the last NAME or STRING token (at most the cap). */
  String text() {
    return new String(text, 0, textLen);
  }

  /** True when the last string was longer than the cap. */
  boolean textTruncated() {
    return textTruncated;
  }

  /** True once any invalid UTF-8 was replaced. */
  boolean sawInvalidUtf8() {
    return sawInvalidUtf8;
  }

  /** True when the last NAME equals {@code s} (no allocation). */
  boolean textEquals(String s) {
    if (s.length() != textLen || textTruncated) {
      return false;
    }
    for (int i = 0; i < textLen; i++) {
      if (text[i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** The value of the last NUMBER token. */
  double number() throws JsonException {
    long v = 0;
    int i = 0;
    boolean neg = numberLen > 0 && numberChars[0] == '-';
    if (neg) {
      i = 1;
    }
    if (numberLen - i > 0 && numberLen - i <= 17) {
      boolean digits = true;
      for (int j = i; j < numberLen; j++) {
        char c = numberChars[j];
        if (c < '0' || c > '9') {
          digits = false;
          break;
        }
        v = v * 10 + (c - '0');
      }
      if (digits) {
        return neg ? -v : v;
      }
    }
    try {
      return Double.parseDouble(new String(numberChars, 0, numberLen));
    } catch (NumberFormatException e) {
      throw error("bad number '" + new String(numberChars, 0, numberLen) + "'");
    }
  }

  /** The next token; {@link Token#END} once after the single top-level value. */
  Token next() throws IOException, JsonException {
    int c = skipWhitespace();
    if (depth == 0 && topDone) {
      if (c == -1) {
        return Token.END;
      }
      throw error("unexpected data after the end of the document");
    }
    if (c == -1) {
      throw error(depth == 0 ? "empty document" : "unexpected end of file (truncated?)");
    }
    if (depth > 0 && stack[depth - 1] == 'O' && !afterName) {
      if (c == '}') {
        pos++;
        return endContainer(Token.END_OBJECT);
      }
      if (needComma) {
        if (c != ',') {
          throw error("expected ',' or '}' but found " + describe(c));
        }
        pos++;
        c = skipWhitespace();
      }
      if (c != '"') {
        throw error("expected a field name but found " + describe(c));
      }
      pos++;
      readString(keepChars == 0 ? 0 : MAX_NAME_CHARS);
      c = skipWhitespace();
      if (c != ':') {
        throw error("expected ':' after field name but found " + describe(c));
      }
      pos++;
      afterName = true;
      return Token.NAME;
    }
    if (depth > 0 && stack[depth - 1] == 'A') {
      if (c == ']' && !needComma) {
        pos++;
        return endContainer(Token.END_ARRAY);
      }
      if (needComma) {
        if (c == ']') {
          pos++;
          return endContainer(Token.END_ARRAY);
        }
        if (c != ',') {
          throw error("expected ',' or ']' but found " + describe(c));
        }
        pos++;
        c = skipWhitespace();
      }
    }
    return value(c);
  }

  /**
   * Skips the value that starts with {@code first} (a token just returned by {@link #next()});
   * containers are skipped to their end, iteratively, without keeping their strings.
   */
  void skip(Token first) throws IOException, JsonException {
    if (first != Token.BEGIN_OBJECT && first != Token.BEGIN_ARRAY) {
      return;
    }
    int saved = keepChars;
    keepChars = 0;
    try {
      int target = depth - 1;
      while (depth > target) {
        next();
      }
    } finally {
      keepChars = saved;
    }
  }

  private Token value(int c) throws IOException, JsonException {
    afterName = false;
    switch (c) {
      case '{':
        pos++;
        push((byte) 'O');
        return Token.BEGIN_OBJECT;
      case '[':
        pos++;
        push((byte) 'A');
        return Token.BEGIN_ARRAY;
      case '"':
        pos++;
        readString(keepChars);
        valueDone();
        return Token.STRING;
      case 't':
        literal("true");
        valueDone();
        return Token.TRUE;
      case 'f':
        literal("false");
        valueDone();
        return Token.FALSE;
      case 'n':
        literal("null");
        valueDone();
        return Token.NULL;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          readNumber();
          valueDone();
          return Token.NUMBER;
        }
        throw error("expected a value but found " + describe(c));
    }
  }

  private void push(byte kind) throws JsonException {
    if (depth >= maxDepth) {
      throw error("nesting deeper than " + maxDepth + " levels");
    }
    if (depth == stack.length) {
      stack = java.util.Arrays.copyOf(stack, stack.length * 2);
    }
    stack[depth++] = kind;
    needComma = false;
  }

  private Token endContainer(Token t) {
    depth--;
    valueDone();
    return t;
  }

  private void valueDone() {
    if (depth == 0) {
      topDone = true;
    } else {
      needComma = true;
    }
  }

  private void literal(String word) throws IOException, JsonException {
    for (int i = 0; i < word.length(); i++) {
      int c = peek();
      if (c != word.charAt(i)) {
        throw error("bad literal, expected '" + word + "'");
      }
      pos++;
    }
    int c = peek();
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      throw error("bad literal, expected '" + word + "'");
    }
  }

  private void readNumber() throws IOException, JsonException {
    numberLen = 0;
    while (true) {
      int c = peek();
      if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
        if (numberLen == MAX_NUMBER_CHARS) {
          throw error("number longer than " + MAX_NUMBER_CHARS + " characters");
        }
        numberChars[numberLen++] = (char) c;
        pos++;
      } else {
        break;
      }
    }
    number(); // validates now, so that a bad number is a syntax error even if never read
  }

  /** Reads a string body after its opening quote, keeping at most {@code keep} characters. */
  private void readString(int keep) throws IOException, JsonException {
    textLen = 0;
    textLimit = keep;
    textTruncated = false;
    while (true) {
      if (pos == limit && !fill()) {
        throw error("unexpected end of file inside a string (truncated?)");
      }
      int b = buf[pos++];
      if (b == '"') {
        return;
      }
      if (b == '\\') {
        escape();
      } else if (b >= 0) {
        append((char) b);
      } else {
        utf8(b & 0xFF);
      }
    }
  }

  private void escape() throws IOException, JsonException {
    int c = read();
    switch (c) {
      case '"', '\\', '/' -> append((char) c);
      case 'b' -> append('\b');
      case 'f' -> append('\f');
      case 'n' -> append('\n');
      case 'r' -> append('\r');
      case 't' -> append('\t');
      case 'u' -> {
        int v = 0;
        for (int i = 0; i < 4; i++) {
          int h = Character.digit(read(), 16);
          if (h < 0) {
            throw error("bad \\u escape");
          }
          v = v * 16 + h;
        }
        append((char) v);
      }
      case -1 -> throw error("unexpected end of file inside a string (truncated?)");
      default -> throw error("bad escape \\" + describe(c));
    }
  }

  /** Decodes one multi-byte UTF-8 sequence led by byte {@code b}; a bad one gives U+FFFD. */
  private void utf8(int b) throws IOException {
    int need;
    int cp;
    int min;
    if ((b & 0xE0) == 0xC0) {
      need = 1;
      cp = b & 0x1F;
      min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
      need = 2;
      cp = b & 0x0F;
      min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
      need = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else {
      invalid();
      return;
    }
    for (int i = 0; i < need; i++) {
      int c = peek();
      if (c < 0 || (c & 0xC0) != 0x80) { // leave the offending byte for the next round
        invalid();
        return;
      }
      pos++;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      invalid();
    } else if (cp >= 0x10000) {
      append(Character.highSurrogate(cp));
      append(Character.lowSurrogate(cp));
    } else {
      append((char) cp);
    }
  }

  private void invalid() {
    sawInvalidUtf8 = true;
    append(REPLACEMENT);
  }

  private void append(char c) {
    if (textLen >= textLimit) {
      textTruncated = true;
      return;
    }
    if (textLen == text.length) {
      text = java.util.Arrays.copyOf(text, Math.min(textLimit, text.length * 2));
    }
    text[textLen++] = c;
  }

  private int skipWhitespace() throws IOException {
    while (true) {
      int c = peek();
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
        pos++;
      } else {
        return c;
      }
    }
  }

  /** The next byte (0..255) without consuming it, or -1 at end of input. */
  private int peek() throws IOException {
    if (pos == limit && !fill()) {
      return -1;
    }
    return buf[pos] & 0xFF;
  }

  private int read() throws IOException {
    int c = peek();
    if (c >= 0) {
      pos++;
    }
    return c;
  }

  private boolean fill() throws IOException {
    consumed += limit;
    pos = 0;
    limit = 0;
    int n = in.read(buf, 0, buf.length);
    if (n <= 0) {
      return false;
    }
    limit = n;
    return true;
  }

  private static String describe(int c) {
    if (c < 0) {
      return "end of file";
    }
    if (c >= 0x20 && c < 0x7F) {
      return "'" + (char) c + "'";
    }
    return String.format("byte 0x%02x", c);
  }

  JsonException error(String what) {
    return new JsonException(what + " at byte " + (consumed + pos));
  }
}
