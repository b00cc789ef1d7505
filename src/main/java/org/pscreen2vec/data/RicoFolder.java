package org.pscreen2vec.data;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files of a RICO folder, in RICO's order: packages and traces by name with numbers compared
 * as numbers ({@code trace_2} before {@code trace_10}), screens by frame number; hidden files
 * (such as macOS's {@code ._x.json}) are left out.
 */
final class RicoFolder {
  private RicoFolder() {}

  /** For filtered_traces/<package>/trace_k/view_hierarchies/x.json: the package folder's name. */
  static String packageFromPath(Path f) {
    Path vh = f.getParent();
    if (vh != null && vh.getFileName() != null
        && vh.getFileName().toString().equals("view_hierarchies")
        && vh.getParent() != null && vh.getParent().getParent() != null) {
      return vh.getParent().getParent().getFileName().toString();
    }
    return "";
  }

  record TraceDir(String packageName, Path dir, List<Path> screens) {}

  /** filtered_traces/ under root, or root itself when it holds package/trace_k folders, or null. */
  static Path tracesFolder(Path root) throws IOException {
    Path ft = root.resolve("filtered_traces");
    if (Files.isDirectory(ft)) {
      return ft;
    }
    if (!Files.isDirectory(root)) {
      throw new BadInputException(root, "no such folder");
    }
    for (Path pkg : subdirs(root)) {
      for (Path t : subdirs(pkg)) {
        if (t.getFileName().toString().startsWith("trace_")) {
          return root;
        }
      }
    }
    return null;
  }

  static List<TraceDir> listTraces(Path traces) throws IOException {
    List<TraceDir> out = new ArrayList<>();
    for (Path pkg : subdirs(traces)) {
      for (Path t : subdirs(pkg)) {
        if (!t.getFileName().toString().startsWith("trace_")) {
          continue;
        }
        Path vh = t.resolve("view_hierarchies");
        List<Path> screens = Files.isDirectory(vh) ? jsonFiles(vh) : List.of();
        out.add(new TraceDir(pkg.getFileName().toString(), t, screens));
      }
    }
    return out;
  }

  static List<Path> subdirs(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(".") && Files.isDirectory(p)) {
          out.add(p);
        }
      }
    }
    out.sort(NATURAL);
    return out;
  }

  /** The *.json files of a folder (not hidden ones such as macOS "._x.json"), in natural order. */
  static List<Path> jsonFiles(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.json")) {
      for (Path p : ds) {
        if (!p.getFileName().toString().startsWith(".")) {
          out.add(p);
        }
      }
    }
    out.sort(NATURAL);
    return out;
  }

  static String stem(String name) {
    return name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
  }

  /** Orders names by their trailing number if both have one (trace_2 < trace_10), else by text. */
  static final Comparator<Path> NATURAL = (a, b) -> {
    String x = stem(a.getFileName().toString());
    String y = stem(b.getFileName().toString());
    int nx = numberStart(x);
    int ny = numberStart(y);
    if (nx >= 0 && ny >= 0 && x.substring(0, nx).equals(y.substring(0, ny))) {
      String dx = stripZeros(x.substring(nx));
      String dy = stripZeros(y.substring(ny));
      int c = dx.length() != dy.length() ? Integer.compare(dx.length(), dy.length())
          : dx.compareTo(dy);
      if (c != 0) {
        return c;
      }
    }
    return x.compareTo(y);
  };

  static String stripZeros(String digits) {
    int i = 0;
    while (i < digits.length() - 1 && digits.charAt(i) == '0') {
      i++;
    }
    return digits.substring(i);
  }

  /** Where the trailing run of digits starts, or -1 when the name does not end in a digit. */
  static int numberStart(String s) {
    int i = s.length();
    while (i > 0 && Character.isDigit(s.charAt(i - 1)) && s.charAt(i - 1) < 128) {
      i--;
    }
    return i == s.length() ? -1 : i;
  }
}
