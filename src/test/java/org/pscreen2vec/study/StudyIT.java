package org.pscreen2vec.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.testutil.Launcher;

/**
 * The study end to end on real MPJ jobs: interrupted after its first complete run, a rerun runs
 * only what is missing; a failing cell is recorded with its exit status and the study goes on;
 * the report is written from the files.
 */
class StudyIT {
  private static final String STUDY = "src/test/resources/study-it.properties";

  @Test
  void anInterruptedStudyResumesWithOnlyTheMissingRuns() throws Exception {
    Path results = Launcher.resultsDir().resolve("study-it-" + ProcessHandle.current().pid());
    Path dir = results.resolve("study-it");
    Map<String, String> env = Map.of("PSCREEN2VEC_RESULTS", results.toString());

    // 1. start the study and stop it (SIGTERM, as Ctrl-C or scancel would) once a run is complete
    ProcessBuilder pb = new ProcessBuilder(Launcher.root().resolve("bin/pscreen2vec").toString(),
        "study", "--config", STUDY).directory(Launcher.root().toFile())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PSCREEN2VEC_CLASSPATH", Launcher.classPath());
    pb.environment().putAll(env);
    Process p = pb.start();
    Path summary = dir.resolve("mlp").resolve("summary.csv");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!(Files.exists(summary) && rows(summary) >= 1) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    p.destroy();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the study stops on SIGTERM");
    List<String> firstIds = ids(summary);
    assertTrue(firstIds.size() >= 1 && firstIds.size() < 3, "interrupted halfway: " + firstIds);
    List<String> left = ProcessHandle.allProcesses().map(h -> h.info().commandLine().orElse(""))
        .filter(c -> c.contains("pscreen2vec.jobId=study-it.")).toList();
    assertTrue(left.isEmpty(), "no rank left running after the stop: " + left);

    // 2. the rerun runs only the missing runs, records the failing ones and goes on
    Launcher.Result r = Launcher.run(Duration.ofMinutes(5), env, "study", "--config", STUDY);
    assertEquals(1, r.exitCode(), "some runs failed: exit 1\n" + r);
    assertTrue(r.stdout().contains(firstIds.size() + " complete already"), r.stdout());
    List<String> all = ids(summary);
    assertEquals(3, all.size(), "every mlp run once: " + all);
    assertEquals(firstIds, all.subList(0, firstIds.size()), "complete runs were not run again");
    // throughput is the job's: 2 workers x 8 steps x 64 = 1024 samples, 1 worker 512
    for (String[] cell : new String[][] {{"none.w1", "512"}, {"ring.w2", "1024"}}) {
      CsvTable epochs = CsvTable.read(dir.resolve("mlp").resolve("study-it.mlp.multicore."
          + cell[0] + ".r1").resolve("epochs.csv"), "samples");
      assertEquals(cell[1], epochs.get(epochs.rows().get(0), "samples"), cell[0]);
    }
    // a study never resumes a run: its runs keep the final model and no checkpoints, on the
    // workers' side and (ps) the server's
    for (String cell : List.of("none.w1", "ring.w2", "ps.w2.s1.bsp")) {
      Path run = dir.resolve("mlp").resolve("study-it.mlp.multicore." + cell + ".r1");
      assertTrue(Files.isRegularFile(run.resolve("checkpoint.bin")), run + ": the final model");
      assertFalse(Files.exists(run.resolve("checkpoints")), run + ": checkpoint.epochs=false");
    }
    CsvTable runs = CsvTable.read(dir.resolve("runs.csv"), "job_id", "status", "exit_code");
    int broken = 0;
    for (String[] row : runs.rows()) {
      if (runs.get(row, "job_id").contains(".broken.")) {
        broken++;
        assertEquals("failed", runs.get(row, "status"));
        if (runs.get(row, "job_id").contains(".none.")) { // one rank: its own status
          assertEquals("4", runs.get(row, "exit_code"), "bad input: exit status 4");
        } else {
          assertTrue(Integer.parseInt(runs.get(row, "exit_code")) > 0, "a failure's status");
        }
      }
    }
    assertEquals(3, broken, "each broken cell (after the mlp cells, in file order) failed once "
        + "and the study went on");

    // 3. a second repeat of the ring cell (--repeats 2, beyond the file's 1) runs only that
    // repeat and is recorded in the study as run; then the mlp cells (1-3, the file's first
    // workload) are complete with the file's own count, and the report reads it all, the extra
    // repeat included (it reads every repeat on record, not the last invocation's count)
    Launcher.Result second = Launcher.run(Duration.ofMinutes(3), env, "study", "--config", STUDY,
        "--cells", "2", "--repeats", "2");
    assertEquals(0, second.exitCode(), second.toString());
    assertTrue(second.stdout().contains("1 complete already, 1 to run"), second.stdout());
    assertTrue(Files.readString(dir.resolve("study.properties")).contains("repeats = 2"),
        "the study as run records --repeats");
    Launcher.Result again = Launcher.run(Duration.ofMinutes(3), env, "study", "--config", STUDY,
        "--cells", "1-3");
    assertEquals(0, again.exitCode(), again.toString());
    assertTrue(again.stdout().contains("3 complete already, 0 to run"), again.stdout());
    assertTrue(!Files.readString(dir.resolve("study.properties")).contains("repeats = 2"),
        "this invocation ran the file's count");
    Path plots = results.resolve("plots");
    Launcher.Result rep = Launcher.run(Duration.ofMinutes(2), env, "report", "--study",
        "study-it", "--plots", plots.toString());
    assertEquals(0, rep.exitCode(), rep.toString());
    String md = Files.readString(dir.resolve("REPORT.md"));
    assertTrue(md.contains("| 1 worker | 1 | 1 |"), md);
    assertTrue(md.contains("| ring | 2 | 2 |"), "both repeats of the ring cell: " + md);
    assertTrue(md.contains("| 1 worker | 1 | 0 (1 failed) |"), "the broken baseline: " + md);
    assertTrue(md.contains("4 run(s) complete, 3 failed"), md);
    assertTrue(md.contains("Each cell ran up to 2 time(s)"), md);
    for (String png : List.of("speedup", "efficiency", "time-split", "bytes", "loss-time")) {
      assertTrue(Files.size(plots.resolve(png + ".png")) > 5000, png);
    }
  }

  private static int rows(Path csv) throws IOException {
    return ids(csv).size();
  }

  private static List<String> ids(Path csv) throws IOException {
    CsvTable t = CsvTable.read(csv, "job_id");
    return t.rows().stream().map(row -> t.get(row, "job_id")).toList();
  }
}
