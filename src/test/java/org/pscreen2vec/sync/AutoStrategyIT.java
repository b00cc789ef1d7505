package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.study.SparsityProbe;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;

/**
 * {@code --strategy auto} in real jobs (2 workers and a server, multicore): it measures the rows
 * each worker's first batches touch, agrees on their mean, and logs it; the logged number equals
 * the mean computed here from the same shards with fresh tasks (exact: counts of distinct ids).
 * {@code PSCREEN2VEC_TOUCHED_ROWS} overrides the measurement and the log says so.
 */
class AutoStrategyIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);
  private static final List<String> SETTINGS = List.of("dim=8", "text.buckets=256",
      "layout.sizes=16,4", "synthetic.screens=300", "batch=4", "max.steps=3", "eval.batch=8");
  private static final Pattern MEASURED = Pattern.compile("strategy auto: touched rows per step "
      + "table (\\S+): (\\d+) distinct rows of 256 \\(measured: mean over (\\d+) batches of 2 "
      + "worker\\(s\\)");

  private static String[] args() {
    List<String> a = new ArrayList<>(List.of("-np", "3", "train", "--model", "screen2vec",
        "--strategy", "auto", "--servers", "1"));
    for (String s : SETTINGS) {
      a.add("--set");
      a.add(s);
    }
    return a.toArray(new String[0]);
  }

  /** The mean distinct rows per batch over both workers' probe batches, as the job counts. */
  private static double expectedMean() throws Exception {
    List<String> overrides = new ArrayList<>(List.of("model=screen2vec"));
    overrides.addAll(SETTINGS);
    TrainConfig c = TrainConfig.load(null, overrides);
    double sum = 0;
    int batches = 0;
    for (int rank = 0; rank < 2; rank++) {
      Task<?> task = Tasks.create(c, CpuOps.plainJava()); // each worker has its own task
      for (RowRequest r : SparsityProbe.firstBatches(task, c, rank, 2)) {
        sum += r.ids(0).length;
        batches++;
      }
    }
    assertEquals(2 * Strategies.PROBE_BATCHES, batches);
    return sum / batches;
  }

  @Test
  void autoMeasuresTheTouchedRowsOfEveryWorker() throws Exception {
    Launcher.Result r = Launcher.run(LIMIT, args());
    assertEquals(0, r.exitCode(), r.toString());
    Matcher m = MEASURED.matcher(r.all());
    assertTrue(m.find(), "no measured touched rows in the log: " + r);
    assertEquals(String.valueOf(2 * Strategies.PROBE_BATCHES), m.group(3));
    assertEquals(String.format(Locale.ROOT, "%.0f", expectedMean()), m.group(2), r.toString());
    assertTrue(r.all().contains("strategy auto -> hybrid on 2 worker(s), 1 server(s)")
        || r.all().contains("strategy auto -> ps on 2 worker(s), 1 server(s)"), r.toString());
  }

  @Test
  void theEnvironmentOverridesTheMeasurement() {
    Launcher.Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_TOUCHED_ROWS", "77"), args());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.all().contains("touched rows per step per table: 77 (PSCREEN2VEC_TOUCHED_ROWS)"),
        r.toString());
    assertTrue(!MEASURED.matcher(r.all()).find(), r.toString());
  }
}
