package org.pscreen2vec.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three concurrent processes (separate JVMs, as concurrent Slurm array tasks are) append many rows
 * to one CSV through {@link Csv#append}: no row may be lost or duplicated, and the header appears
 * exactly once.
 */
class CsvLockTest {
  static final String HEADER = "writer,seq,payload";
  private static final int WRITERS = 3;
  private static final int APPENDS = 120;

  /** One writer process: waits for the go file, then appends APPENDS times (1 or 2 rows each). */
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    String writer = args[1];
    int appends = Integer.parseInt(args[2]);
    Path go = Path.of(args[3]);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!Files.exists(go) && System.nanoTime() < until) {
      Thread.sleep(5);
    }
    int seq = 0;
    for (int i = 0; i < appends; i++) {
      List<String> rows = new ArrayList<>();
      int n = i % 3 == 0 ? 2 : 1;
      for (int k = 0; k < n; k++) {
        rows.add(writer + "," + (seq++) + ",x" + "y".repeat(i % 7));
      }
      Csv.append(file, HEADER, rows);
    }
    System.out.println(seq);
  }

  @Test
  void concurrentProcessesLoseNoRow(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("summary.csv");
    Path go = dir.resolve("go");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> procs = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      procs.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          CsvLockTest.class.getName(), file.toString(), "w" + w, "" + APPENDS, go.toString())
          .redirectErrorStream(true).start());
    }
    Files.writeString(go, "go");
    int expected = 0;
    for (Process p : procs) {
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a writer process did not finish in 2 min");
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertEquals(0, p.exitValue(), "writer failed:\n" + out);
      expected += Integer.parseInt(out.lines().reduce((a, b) -> b).orElse("0"));
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    assertEquals(HEADER, lines.get(0));
    List<String> rows = lines.subList(1, lines.size());
    assertEquals(0, rows.stream().filter(HEADER::equals).count(), "header repeated");
    Set<String> keys = new HashSet<>();
    for (String r : rows) {
      String[] f = r.split(",");
      assertTrue(keys.add(f[0] + "," + f[1]), "duplicated row " + r);
    }
    assertEquals(expected, rows.size(), "rows lost");
    for (int w = 0; w < WRITERS; w++) {
      int count = 0;
      for (String k : keys) {
        if (k.startsWith("w" + w + ",")) {
          count++;
        }
      }
      assertEquals(expected / WRITERS, count, "rows of writer w" + w);
    }
    try (var s = Files.list(dir)) {
      assertEquals(List.of(), s.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".tmp") || n.contains(".old-")).toList(), "leftover files");
    }
  }

}
