package org.pscreen2vec.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pscreen2vec.testutil.RunFiles.epochRows;

import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code PSCREEN2VEC_TOUCHED_ROWS} overrides the measurement and the log says so. On the Fashion
 * MLP (no tables) with a server rank, auto runs plain ring and the server ends unused; the run
 * equals a 2-worker ring run bitwise.
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
    assertTrue(Pattern.compile("strategy auto -> (ring|hybrid|ps) on 2 worker\\(s\\), 1 "
        + "server\\(s\\)").matcher(r.all()).find(), r.toString());
  }

  @Test
  void theEnvironmentOverridesTheMeasurement() {
    Launcher.Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_TOUCHED_ROWS", "77"), args());
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.all().contains("touched rows per step per table: 77 (PSCREEN2VEC_TOUCHED_ROWS)"),
        r.toString());
    assertTrue(!MEASURED.matcher(r.all()).find(), r.toString());
  }

  @Test
  void autoWithAServerRankRunsRingAndTheServerIdles() throws Exception {
    List<String> mlp = List.of("train", "--model", "fashion-mlp", "--set", "max.steps=8");
    List<String> auto = new ArrayList<>(List.of("-np", "3", "-dev", "multicore"));
    auto.addAll(mlp);
    auto.addAll(List.of("--strategy", "auto", "--servers", "1", "--experiment", "auto-idle"));
    Launcher.Result a = Launcher.run(LIMIT, auto.toArray(new String[0]));
    assertEquals(0, a.exitCode(), a.toString());
    assertTrue(a.all().contains("strategy auto -> ring on 2 worker(s), 1 server(s)"),
        a.toString());
    assertTrue(Pattern.compile("strategy auto: every block on ring \\(predicted [0-9.]+ ms vs [0-9.]+ ms "
        + "with the servers\\); the 1 server rank is idle").matcher(a.all()).find(), a.toString());
    Path autoRun = Launcher.resultsDir().resolve("auto-idle").resolve(a.jobId());
    String server = Files.readString(autoRun.resolve("rank-2.log"));
    assertTrue(server.contains("parameter server 2: not used"), server);
    assertTrue(server.contains("parameter server done: 0 requests"), server);
    assertFalse(server.contains("dense floats in its shard"), server); // it never set up
    List<String> ring = new ArrayList<>(List.of("-np", "2", "-dev", "multicore"));
    ring.addAll(mlp);
    ring.addAll(List.of("--strategy", "ring", "--experiment", "auto-idle"));
    Launcher.Result r = Launcher.run(LIMIT, ring.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.toString());
    Path ringRun = Launcher.resultsDir().resolve("auto-idle").resolve(r.jobId());
    List<String> want = epochRows(ringRun);
    assertFalse(want.size() < 2, "no epoch row in " + ringRun);
    // the same ring on the same 2 workers' shards: bitwise the same losses and metrics
    assertEquals(want, epochRows(autoRun), "epoch rows of auto (1 idle server) vs ring");
  }
}
