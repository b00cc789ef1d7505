package org.pscreen2vec.run;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A file could not be stored: a full disk, a quota, a read-only or vanished folder. The
 * environment failed, not the program, so the message is the report: it names the file and the
 * system's reason ({@code Main} prints it as one line; the trace goes to the rank's log file).
 */
public final class StorageException extends IOException {
  private static final long serialVersionUID = 1L;

  public StorageException(Path file, IOException cause) {
    super("cannot write " + file + ": " + reason(cause), cause);
  }

  private static String reason(IOException e) {
    if (e instanceof FileSystemException f) { // its message is the path; the reason is apart
      String what = f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
      return f.getFile() != null ? what + " (" + f.getFile() + ")" : what;
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** The storage failure behind {@code t} (itself or a cause), or null. */
  public static StorageException in(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof StorageException s) {
        return s;
      }
    }
    return null;
  }
}
