package org.pscreen2vec.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading a run folder's files in job tests. */
public final class RunFiles {
  private RunFiles() {}

  /**
   * The run's {@code epochs.csv} rows without their timing columns (seconds, samples/s and the
   * last one, eval_seconds): what two runs that trained alike must have equal.
   */
  public static List<String> epochRows(Path run) throws IOException {
    List<String> out = new ArrayList<>();
    for (String row : Files.readAllLines(run.resolve("epochs.csv"))) {
      String[] c = row.split(",");
      List<String> keep = new ArrayList<>();
      for (int i = 0; i < c.length - 1; i++) {
        if (i != 4 && i != 5) {
          keep.add(c[i]);
        }
      }
      out.add(String.join(",", keep));
    }
    return out;
  }
}
