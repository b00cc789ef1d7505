package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CSV files written atomically; summary files grow by one row per run. */
public final class Csv {
  private Csv() {}

  public static void write(Path file, String header, List<String> rows) throws IOException {
    StringBuilder sb = new StringBuilder(header).append('\n');
    rows.forEach(r -> sb.append(r).append('\n'));
    AtomicFiles.writeString(file, sb.toString());
  }

  /**
   * Appends rows to {@code file}, creating it with {@code header}; the whole file is rewritten
   * through a temp file so a crash leaves the old or the new version. A file whose header differs
   * (an older format) is kept aside as {@code file.old-<n>} rather than mixed.
   */
  public static synchronized void append(Path file, String header, List<String> rows)
      throws IOException {
    StringBuilder sb = new StringBuilder();
    if (Files.exists(file)) {
      String old = Files.readString(file, StandardCharsets.UTF_8);
      if (old.startsWith(header + "\n")) {
        sb.append(old);
      } else {
        Files.move(file, file.resolveSibling(file.getFileName() + ".old-"
            + System.currentTimeMillis()));
      }
    }
    if (sb.length() == 0) {
      sb.append(header).append('\n');
    }
    rows.forEach(r -> sb.append(r).append('\n'));
    AtomicFiles.writeString(file, sb.toString());
  }
}
