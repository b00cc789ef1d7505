package org.pscreen2vec.collective;

import org.pscreen2vec.app.BenchCollectivesCommand;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.testutil.Launcher.Result;

/**
 * ring, naive, star and MPJ allreduce on real MPJ jobs: exact integer sums, random floats within
 * 1e-5 (relative to the sum of magnitudes) of a double-precision reference, NaN/Inf propagation,
 * back-to-back calls, bitwise-identical results on every rank (check-collectives does the
 * checking on every rank and exits 1 on any wrong element).
 */
class CollectivesIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);

  private static void assertAllCorrect(Result r, int ranks) {
    Launcher.assertCheckCollectivesOk(r, ranks);
  }

  @ParameterizedTest(name = "{0} ranks, multicore, lengths 0,1,p-1,p,p+1,1000003,2^22")
  @ValueSource(ints = {1, 2, 3, 4, 5, 8})
  void everyAlgorithmIsExactOnMulticore(int ranks) {
    Result r = Launcher.run(LIMIT, "-np", "" + ranks, "check-collectives");
    assertAllCorrect(r, ranks);
  }

  @Test
  void smallSegmentsExercisePipelining() {
    // 7-float segments: every chunk spans many segments, windows wrap, last segments are short.
    Result r = Launcher.run(LIMIT, "-np", "5", "check-collectives", "--segment", "7",
        "--lengths", "0,1,p-1,p,p+1,100,1001");
    assertAllCorrect(r, 5);
  }

  @Test
  void workersOnlyCommunicatorWithAServer() {
    Result r = Launcher.run(LIMIT, "-np", "4", "check-collectives", "--servers", "1",
        "--lengths", "0,1,p-1,p,p+1,1000003");
    assertAllCorrect(r, 3);
    assertTrue(r.stdout().contains("communicator 'workers'"), r.toString());
  }

  @Test
  void everyAlgorithmIsExactOverNiodev() {
    Result r = Launcher.run(LIMIT, "-np", "3", "-dev", "niodev", "check-collectives",
        "--lengths", "0,1,p-1,p,p+1,1000003,4194304");
    assertAllCorrect(r, 3);
  }

  @Test
  void niodevSmallSegments() {
    Result r = Launcher.run(LIMIT, "-np", "4", "-dev", "niodev", "check-collectives",
        "--segment", "1000", "--lengths", "0,1,p-1,p,p+1,65537");
    assertAllCorrect(r, 4);
  }

  @Test
  void twoNiodevRanksGoInLockstepRounds() {
    // two ranks over niodev exchange in rounds, the send posted first (ring and naive): eager
    // rounds of 1,000 floats, and rendezvous rounds of 100,000 (400 KB) with a short last one
    Result r = Launcher.run(LIMIT, "-np", "2", "-dev", "niodev", "check-collectives",
        "--segment", "1000", "--lengths", "0,1,p-1,p,p+1,65537");
    assertAllCorrect(r, 2);
    r = Launcher.run(LIMIT, "-np", "2", "-dev", "niodev", "check-collectives",
        "--segment", "100000", "--lengths", "1,p+1,1000003");
    assertAllCorrect(r, 2);
  }

  @Test
  void benchmarkWritesCheckedRowsAndTheRunRecord() throws Exception {
    Result r = Launcher.run(LIMIT, "-np", "3", "bench-collectives", "--min-bytes", "4096",
        "--max-bytes", "65536", "--iters", "3", "--warmup", "1");
    assertEquals(0, r.exitCode(), r.toString());
    Path dir = Launcher.resultsDir().resolve("collectives").resolve(r.jobId());
    List<String> lines = Files.readAllLines(dir.resolve("collectives.csv"));
    assertEquals(BenchCollectivesCommand.HEADER, lines.get(0));
    // sizes 4096, 16384, 65536; p2p + 4 algorithms each
    assertEquals(1 + 3 * 5, lines.size(), String.join("\n", lines));
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",");
      assertEquals("multicore", f[0]);
      assertEquals("0", f[10], "wrong results in " + line);
      double median = Double.parseDouble(f[5]);
      double min = Double.parseDouble(f[6]);
      double max = Double.parseDouble(f[7]);
      assertTrue(min > 0 && min <= median && median <= max, line);
      double algbw = Double.parseDouble(f[8]);
      double busbw = Double.parseDouble(f[9]);
      int ranks = Integer.parseInt(f[2]);
      double factor = f[1].equals("p2p") ? 1 : 2.0 * (ranks - 1) / ranks;
      assertEquals(algbw * factor, busbw, 1e-3 * busbw + 1e-4, line);
    }
    String json = Files.readString(dir.resolve("run.json"));
    assertTrue(json.contains("\"command\": \"bench-collectives\"")
        && json.contains("\"git_revision\""), json);
  }

  @Test
  void reduceRowsAreEveryRankAtOnceAndRankZeroAlone() throws Exception {
    Result r = Launcher.run(LIMIT, "-np", "3", "bench-collectives", "--min-bytes", "65536",
        "--max-bytes", "262144", "--iters", "3", "--warmup", "1", "--algorithms", "ring",
        "--no-p2p", "--reduce-row");
    assertEquals(0, r.exitCode(), r.toString());
    Path dir = Launcher.resultsDir().resolve("collectives").resolve(r.jobId());
    List<String> lines = Files.readAllLines(dir.resolve("collectives.csv"));
    // sizes 65536 and 262144: reduce on 3 ranks, reduce on rank 0 alone (ranks 1), ring
    List<String> reduce = lines.stream().filter(l -> l.split(",")[1].equals("reduce")).toList();
    assertEquals(List.of("3,65536", "1,65536", "3,262144", "1,262144"), reduce.stream()
        .map(l -> l.split(",")[2] + "," + l.split(",")[3]).toList(), String.join("\n", lines));
    for (String line : reduce) {
      assertEquals("0", line.split(",")[10], "wrong results in " + line);
      assertTrue(Double.parseDouble(line.split(",")[5]) > 0, line);
    }
  }
}
