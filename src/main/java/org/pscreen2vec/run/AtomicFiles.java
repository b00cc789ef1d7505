package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.pscreen2vec.data.BadInputException;

/** Writes files so that a reader sees the old file or the whole new one, never a half-written one. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Content producer that may throw. */
  @FunctionalInterface
  public interface Writer {
    void write(java.io.OutputStream out) throws IOException;
  }

  public static void writeString(Path target, String content) throws IOException {
    write(target, out -> out.write(content.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * Writes to a temp file in the target's folder, forces it to disk, then renames it over target.
   * A failure to store (a full disk, a read-only folder) is a {@link StorageException} naming
   * {@code target}; the temp file is removed either way.
   */
  public static void write(Path target, Writer writer) throws IOException {
    try {
      writeTemp(target, writer);
    } catch (StorageException | BadInputException e) {
      throw e;
    } catch (IOException e) {
      throw new StorageException(target, e);
    }
  }

  private static void writeTemp(Path target, Writer writer) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (var ch = java.nio.channels.FileChannel.open(tmp,
              java.nio.file.StandardOpenOption.WRITE);
          var out = new java.io.BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch),
              1 << 16)) {
        writer.write(out);
        out.flush();
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
