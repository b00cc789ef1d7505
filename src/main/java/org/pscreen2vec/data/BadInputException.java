package org.pscreen2vec.data;

import java.io.IOException;
import java.nio.file.Path;

/** An input file is missing, malformed or breaks a limit; the message names the file and what. */
public final class BadInputException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;
  private final SkipReason reason;

  public BadInputException(Path file, String what) {
    this(file, null, what);
  }

  public BadInputException(Path file, SkipReason reason, String what) {
    super(file + ": " + what);
    this.file = file;
    this.reason = reason;
  }

  public Path file() {
    return file;
  }

  /** Why a RICO screen was rejected; null for other files. */
  public SkipReason reason() {
    return reason;
  }
}
