package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.app.ExitCode;

/**
 * {@code project --config FILE --set KEY=VALUE}: the override reaches the profiled model (its
 * dense parameters change) and names the output; {@code --set} without {@code --config} is a
 * usage error.
 */
class ProjectSetTest {
  @TempDir
  Path out;

  private static String[] project(Path dir, String... extra) {
    List<String> a = new java.util.ArrayList<>(List.of("project", "--config",
        "configs/screen2vec-local.properties", "--compute-ms", "5", "--network", "1gbe",
        "--max-workers", "4", "--out", dir.toString()));
    a.addAll(List.of(extra));
    return a.toArray(new String[0]);
  }

  private static String table(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      Path md = files.filter(p -> p.toString().endsWith(".md")).findFirst().orElseThrow();
      return md.getFileName() + "\n" + Files.readString(md);
    }
  }

  private static long denseParameters(String table) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) dense parameters")
        .matcher(table);
    assertTrue(m.find(), table);
    return Long.parseLong(m.group(1));
  }

  @Test
  void setChangesTheProfiledModel() throws Exception {
    Path joint = Files.createDirectory(out.resolve("joint"));
    Path none = Files.createDirectory(out.resolve("none"));
    assertEquals(ExitCode.OK, Main.runPlain(project(joint)));
    assertEquals(ExitCode.OK, Main.runPlain(project(none, "--set", "layout.mode=none")));
    String tj = table(joint);
    String tn = table(none);
    assertTrue(tn.startsWith("screen2vec-local+layout.mode=none"), tn);
    assertTrue(tn.contains("with layout.mode=none"), tn);
    // joint trains the layout autoencoder with the model: more dense parameters than none
    assertTrue(denseParameters(tj) > denseParameters(tn), tj + "\n" + tn);
  }

  @Test
  void anUnknownKeyIsAUsageError() {
    assertEquals(ExitCode.USAGE, Main.runPlain(project(out, "--set", "no.such.key=1")));
  }

  @Test
  void setWithoutConfigIsAUsageError() {
    assertEquals(ExitCode.USAGE, Main.runPlain(new String[] {"project", "--workload",
        "screen2vec", "--set", "layout.mode=none", "--out", out.toString()}));
  }
}
