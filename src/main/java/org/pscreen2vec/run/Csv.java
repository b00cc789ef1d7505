package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
   *
   * <p>Safe across processes: concurrent writers (Slurm array tasks, each its own JVM, appending to
   * one {@code summary.csv}) take an exclusive lock on the hidden sibling file
   * {@code .<name>.lock} (left in place: deleting a lock file others may wait on breaks the lock)
   * for the whole read-and-rewrite, so no row is lost; {@code synchronized} serializes the
   * threads of one JVM, which a file lock alone does not (the JVM would throw
   * OverlappingFileLockException). The lock is {@code fcntl}-based: on a shared file system it needs working POSIX locks (NFSv4, or
   * v3 with lockd; Lustre and GPFS provide them).
   */
  public static synchronized void append(Path file, String header, List<String> rows)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path lockFile = dir.resolve("." + file.getFileName() + ".lock");
    try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      appendLocked(file, header, rows);
    }
  }

  private static void appendLocked(Path file, String header, List<String> rows)
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

  /**
   * Keeps the header and the rows for which {@code keep} holds (cells split at commas), rewriting
   * the file atomically; nothing happens when the file does not exist. A resumed run drops the
   * rows written after the checkpoint it continues from.
   */
  public static synchronized void keepRows(Path file, java.util.function.Predicate<String[]> keep)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      return;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(lines.get(0)).append('\n');
    for (String row : lines.subList(1, lines.size())) {
      if (!row.isBlank() && keep.test(row.split(","))) {
        sb.append(row).append('\n');
      }
    }
    AtomicFiles.writeString(file, sb.toString());
  }
}
