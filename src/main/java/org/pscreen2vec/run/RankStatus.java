package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Tells the launcher how this rank ended. MPJ Express does not propagate exit statuses (multicore
 * exits 0 when a rank fails; niodev may never end), so each rank writes {@code rank-<r>.status}
 * ("exit code TAB first line of the error") into the folder the launcher names with
 * {@code -Dpscreen2vec.statusDir}; the launcher ends the job and returns the first failure.
 */
public final class RankStatus {
  private RankStatus() {}

  /** The status folder, or null when not started by the launcher. */
  public static Path dir() {
    String d = System.getProperty("pscreen2vec.statusDir");
    return d == null || d.isBlank() ? null : Paths.get(d);
  }

  public static void write(int rank, int code, String message) {
    Path dir = dir();
    if (dir == null) {
      return;
    }
    String oneLine = message == null ? "" : message.replaceAll("[\\r\\n\\t]+", " ");
    if (oneLine.length() > 1000) {
      oneLine = oneLine.substring(0, 1000) + "...";
    }
    String name = rank >= 0 ? "rank-" + rank + ".status"
        : "rank-unknown-" + ProcessHandle.current().pid() + ".status";
    try {
      AtomicFiles.writeString(dir.resolve(name), code + "\t" + oneLine + "\n");
    } catch (IOException e) {
      System.err.println("pscreen2vec: could not write rank status to " + dir + ": " + e);
    }
  }
}
