package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.pscreen2vec.results.CsvTable;

/**
 * Where a study keeps its files under {@code <results>/<study>/}, shared by the runner and the
 * report so both agree on what "complete" means.
 */
final class StudyFiles {
  static final String RUNS_HEADER = "cell,cell_key,repeat,job_id,status,exit_code,seconds,"
      + "finished_utc";

  private StudyFiles() {}

  /** One row per attempt to run a cell's repeat. */
  static Path runs(Path studyDir) {
    return studyDir.resolve("runs.csv");
  }

  /** The launcher's output of one run. */
  static Path log(Path studyDir, String jobId) {
    return studyDir.resolve("logs").resolve(jobId + ".log");
  }

  /** One row per completed run of the workload (written by {@code train} at its end). */
  static Path summary(Path studyDir, String workload) {
    return studyDir.resolve(workload).resolve("summary.csv");
  }

  static Path runDir(Path studyDir, String workload, String jobId) {
    return studyDir.resolve(workload).resolve(jobId);
  }

  /** Job ids with a row in the workload's summary.csv: the runs that finished. */
  static Set<String> completed(Path studyDir, String workload) throws IOException {
    Path f = summary(studyDir, workload);
    Set<String> ids = new HashSet<>();
    if (Files.isRegularFile(f)) {
      CsvTable t = CsvTable.read(f, "job_id");
      for (String[] r : t.rows()) {
        ids.add(t.get(r, "job_id"));
      }
    }
    return ids;
  }
}
