package org.pscreen2vec.results;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A CSV file with a header row, read for plotting and reports (no quoting: our own files). */
public final class CsvTable {
  private final Path file;
  private final Map<String, Integer> columns = new HashMap<>();
  private final List<String[]> rows = new ArrayList<>();

  private CsvTable(Path file) {
    this.file = file;
  }

  /** Reads a file; a missing column or a ragged row is an error naming the file and line. */
  public static CsvTable read(Path file, String... required) throws IOException {
    CsvTable t = new CsvTable(file);
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IOException(file + " is empty (expected a header row)");
    }
    String[] header = lines.get(0).split(",", -1);
    for (int i = 0; i < header.length; i++) {
      t.columns.put(header[i].trim(), i);
    }
    for (String c : required) {
      if (!t.columns.containsKey(c)) {
        throw new IOException(file + " has no column '" + c + "' (header: " + lines.get(0) + ")");
      }
    }
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",", -1);
      if (f.length != header.length) {
        throw new IOException(file + " line " + (i + 1) + " has " + f.length + " fields, the header "
            + header.length);
      }
      t.rows.add(f);
    }
    return t;
  }

  public List<String[]> rows() {
    return rows;
  }

  /** A row as column name -> field, in the header's order. */
  public Map<String, String> record(String[] row) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    columns.entrySet().stream().sorted(Map.Entry.comparingByValue())
        .forEach(e -> m.put(e.getKey(), row[e.getValue()]));
    return m;
  }

  public String get(String[] row, String column) {
    return row[columns.get(column)];
  }

  /** A numeric field; a bad number is an error naming file and column. */
  public double number(String[] row, String column) throws IOException {
    String v = get(row, column);
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IOException(file + ": column '" + column + "' holds '" + v + "', not a number");
    }
  }
}
