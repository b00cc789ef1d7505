package org.pscreen2vec.app;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the data subcommands read and write by default. */
final class DataPaths {
  /** The synthetic RICO set, relative to the project folder. */
  static final String SYNTHETIC = ".deps/data/rico-synthetic";

  private DataPaths() {}

  /** {@code value} as a path, or the default under the project folder when null. */
  static Path orDefault(String value) {
    if (value != null) {
      return Paths.get(value);
    }
    return Paths.get(System.getProperty("pscreen2vec.home", ".")).resolve(SYNTHETIC);
  }
}
