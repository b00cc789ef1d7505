package org.pscreen2vec.app;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removes a generated data set: only the three entries gen-data writes, nothing else. */
final class SyntheticFiles {
  private SyntheticFiles() {}

  static void removeDataSet(Path out) throws IOException {
    for (String name : new String[] {"filtered_traces", "combined"}) {
      Path p = out.resolve(name);
      if (Files.isDirectory(p)) {
        deleteTree(p);
      }
    }
    Files.deleteIfExists(out.resolve(org.pscreen2vec.data.AppDescriptions.FILE_NAME));
  }

  private static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
