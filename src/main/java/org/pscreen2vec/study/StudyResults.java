package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pscreen2vec.results.CsvTable;

/**
 * Everything a report needs, read from a study's folder: per cell the figures of its complete
 * runs, the failures recorded in runs.csv, and the environment the runs recorded in run.json.
 * A run folder that cannot be read is a counted, logged skip, not the end of the report.
 */
record StudyResults(StudyConfig study, Path dir, List<CellFigures> cells,
    Map<String, TreeSet<String>> environment, int unreadable) {
  private static final Logger LOG = LogManager.getLogger(StudyResults.class);
  private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9.]+)\": \"?([^\",]*)\"?,?");
  /** run.json fields that describe where the study ran. */
  private static final List<String> ENV = List.of("host_rank0", "cores", "java", "os",
      "device", "git_revision", "omp_threads_per_rank", "max_heap_mb", "started_utc");

  static StudyResults load(StudyConfig study, Path dir) throws IOException {
    Map<String, String> lastStatus = lastStatus(dir);
    Map<String, TreeSet<String>> env = new LinkedHashMap<>();
    ENV.forEach(k -> env.put(k, new TreeSet<>()));
    Map<String, Map<String, Map<String, String>>> summaries = new HashMap<>();
    List<CellFigures> out = new ArrayList<>();
    Map<String, CellFigures> baselines = new HashMap<>();
    int unreadable = 0;
    for (Cell c : study.cells()) {
      String wl = c.workload().name();
      Map<String, Map<String, String>> rows = summaries.get(wl);
      if (rows == null) {
        rows = RunFigures.summaryRows(StudyFiles.summary(dir, wl));
        summaries.put(wl, rows);
      }
      List<RunFigures> runs = new ArrayList<>();
      int failed = 0;
      // every repeat on record: the study's own count and any more that 'study --repeats N' ran
      // (a report must not leave out runs it has)
      for (int r = 1; r <= StudyConfig.MAX_REPEATS; r++) {
        String id = c.jobId(study.name(), r);
        if (r > study.repeats() && !rows.containsKey(id) && !lastStatus.containsKey(id)) {
          break;
        }
        Map<String, String> row = rows.get(id);
        if (row == null) {
          String st = lastStatus.get(id);
          failed += st != null && !st.equals("ok") ? 1 : 0;
          continue;
        }
        Path runDir = StudyFiles.runDir(dir, wl, id);
        try {
          runs.add(RunFigures.read(runDir, row, c.workload()));
          readEnvironment(runDir.resolve("run.json"), env);
        } catch (IOException | RuntimeException e) {
          unreadable++;
          LOG.warn("skipping run {}: {}", runDir, e.getMessage());
        }
      }
      String baseKey = wl + "/" + c.device();
      CellFigures f = new CellFigures(c, runs, c.isBaseline() ? null : baselines.get(baseKey),
          failed);
      if (c.isBaseline()) {
        baselines.put(baseKey, f);
      }
      out.add(f);
    }
    return new StudyResults(study, dir, out, env, unreadable);
  }

  /** The status of the latest attempt of each job id in runs.csv. */
  private static Map<String, String> lastStatus(Path dir) throws IOException {
    Map<String, String> m = new HashMap<>();
    Path f = StudyFiles.runs(dir);
    if (Files.isRegularFile(f)) {
      CsvTable t = CsvTable.read(f, "job_id", "status");
      t.rows().forEach(r -> m.put(t.get(r, "job_id"), t.get(r, "status")));
    }
    return m;
  }

  /** Adds the environment fields of a run.json (our own flat JSON of strings and numbers). */
  private static void readEnvironment(Path runJson, Map<String, TreeSet<String>> env)
      throws IOException {
    for (String line : Files.readAllLines(runJson)) {
      Matcher m = FIELD.matcher(line.trim());
      if (m.matches() && env.containsKey(m.group(1))) {
        String v = m.group(2);
        env.get(m.group(1)).add(m.group(1).equals("started_utc") ? v.substring(0,
            Math.min(10, v.length())) : v);
      }
    }
  }

  /** Complete cells of one workload and device. */
  List<CellFigures> of(String workload, String device) {
    return cells.stream().filter(c -> c.cell().workload().name().equals(workload)
        && c.cell().device().equals(device)).toList();
  }

  /** The most runs, complete or failed, that any cell has on record. */
  int repeatsOnRecord() {
    return cells.stream().mapToInt(c -> c.runs().size() + c.failed()).max().orElse(0);
  }

  int runsComplete() {
    return cells.stream().mapToInt(c -> c.runs().size()).sum();
  }

  int runsFailed() {
    return cells.stream().mapToInt(CellFigures::failed).sum();
  }
}
