package org.pscreen2vec.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * App descriptions as a CSV file ({@code app_descriptions.csv}): a header line
 * {@code package,description}, then one record per app; fields may be quoted as RFC 4180 says
 * (quotes doubled, line breaks allowed inside quotes). Invalid UTF-8 becomes U+FFFD.
 */
public final class AppDescriptions {
  public static final String FILE_NAME = "app_descriptions.csv";
  /** Longest description kept, in characters. */
  public static final int MAX_CHARS = 20_000;

  private AppDescriptions() {}

  /**
   * Reads the file.
   *
   * @throws BadInputException when the header is missing, a quote is unterminated or a record
   *                           does not have two fields
   */
  public static Map<String, String> read(Path file) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    Map<String, String> out = new LinkedHashMap<>();
    try (BufferedReader r = new BufferedReader(
        new java.io.InputStreamReader(Files.newInputStream(file), decoder))) {
      List<String> header = record(r, file, 1);
      if (header == null || header.size() != 2 || !header.get(0).strip().equals("package")) {
        throw new BadInputException(file, "the first line must be the header "
            + "'package,description'");
      }
      int line = 2;
      List<String> rec;
      while ((rec = record(r, file, line)) != null) {
        if (rec.size() == 1 && rec.get(0).isBlank()) {
          line++;
          continue;
        }
        if (rec.size() != 2) {
          throw new BadInputException(file, "record starting on line " + line + " has "
              + rec.size() + " field(s), expected 2 (package,description)");
        }
        String d = rec.get(1);
        out.put(rec.get(0).strip(), d.length() > MAX_CHARS ? d.substring(0, MAX_CHARS) : d);
        line++;
      }
    }
    return out;
  }

  /** Writes descriptions in the format {@link #read} reads. */
  public static void write(Writer w, Map<String, String> descriptions) throws IOException {
    w.write("package,description\n");
    for (var e : descriptions.entrySet()) {
      w.write(quote(e.getKey()));
      w.write(',');
      w.write(quote(e.getValue()));
      w.write('\n');
    }
  }

  private static String quote(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  /** One CSV record, or null at end of input. */
  private static List<String> record(BufferedReader r, Path file, int line) throws IOException {
    int c = r.read();
    if (c < 0) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    StringBuilder f = new StringBuilder();
    boolean quoted = false;
    boolean wasQuoted = false;
    while (true) {
      if (quoted) {
        if (c < 0) {
          throw new BadInputException(file, "unterminated quote in the record starting on line "
              + line);
        }
        if (c == '"') {
          r.mark(1);
          int d = r.read();
          if (d == '"') {
            append(f, '"');
          } else {
            quoted = false;
            r.reset();
          }
        } else {
          append(f, (char) c);
        }
      } else if (c < 0 || c == '\n') {
        fields.add(f.toString());
        return fields;
      } else if (c == ',') {
        fields.add(f.toString());
        f.setLength(0);
        wasQuoted = false;
      } else if (c == '"' && f.length() == 0 && !wasQuoted) {
        quoted = true;
        wasQuoted = true;
      } else if (c != '\r') {
        append(f, (char) c);
      }
      c = r.read();
    }
  }

  private static void append(StringBuilder f, char c) {
    if (f.length() <= MAX_CHARS) {
      f.append(c);
    }
  }
}
