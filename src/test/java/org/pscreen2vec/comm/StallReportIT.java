package org.pscreen2vec.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.testutil.Launcher.Result;

/**
 * The stall report through MPJ Express (issue 14): in a real 3-rank multicore job whose rank 1
 * leaves early, the ranks waiting for it log, at half their 3 s deadline and before the job ends
 * with exit status 3, what they wait for: rank 1, the operation, its bytes and tag.
 */
class StallReportIT {
  @Test
  void ranksWaitingForALostPeerNameItAtHalfTheDeadline() {
    Result r = Launcher.run(Duration.ofSeconds(90), Map.of("PSCREEN2VEC_ABORT_GRACE", "5"),
        "-np", "3", "-dev", "multicore", "selftest", "--deadline", "3", "--exit-early-rank", "1");
    assertEquals(3, r.exitCode(), r.toString());
    String logs = r.all() + rankLogs(r.jobId());
    String report = logs.lines().filter(l -> l.contains("has waited")).findFirst().orElse("");
    assertTrue(report.contains("(half its 3.0 s deadline) for rank 1"), "no stall report naming "
        + "rank 1 in:\n" + logs);
    assertTrue(report.contains(" bytes, tag ") && report.contains("on communicator '"), report);
  }

  /** The rank logs of the job's run folder (WARN lines of ranks other than 0 land there). */
  private static String rankLogs(String jobId) {
    try (Stream<Path> files = Files.walk(Launcher.resultsDir())) {
      return files.filter(p -> p.toString().contains(jobId) && p.toString().endsWith(".log"))
          .map(p -> {
            try {
              return Files.readString(p);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }).collect(Collectors.joining("\n"));
    } catch (IOException e) {
      return "";
    }
  }
}
