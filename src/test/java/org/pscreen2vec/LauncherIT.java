package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.testutil.Launcher.Result;
import org.pscreen2vec.testutil.Launcher;

/** Launcher behaviour that needs no Slurm: its cleanup touches only its own job; srun mode's guard. */
class LauncherIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  /**
   * Cleaning up job X must not kill processes of job X2 or of a job whose id differs from X only
   * where X has a dot (the pattern once was a prefix match in which '.' matched any character).
   */
  @Test
  void cleanupLeavesOtherJobsAlone() throws Exception {
    String id = "cleanup-" + ProcessHandle.current().pid() + ".a";
    List<Process> others = new ArrayList<>();
    for (String other : List.of(id + "2", id.replace(".a", "xa"), id + ".b")) {
      // "sleep; true" keeps bash from exec'ing sleep, so the marker stays on a live command line.
      others.add(new ProcessBuilder("bash", "-c", "sleep 120; true", "marker",
          "-Dpscreen2vec.jobId=" + other, "-Dpscreen2vec.daemonOf=" + other).start());
    }
    Process own = new ProcessBuilder("bash", "-c", "sleep 120; true", "marker",
        "-Dpscreen2vec.jobId=" + id).start();
    try {
      Thread.sleep(300);
      Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_JOB_ID", id), "-np", "1", "selftest");
      assertEquals(0, r.exitCode(), r.toString());
      for (Process p : others) {
        assertTrue(p.isAlive(), "cleaning up job " + id + " killed another job's process "
            + p.info().commandLine().orElse(""));
      }
      own.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(!own.isAlive(), "the job's own stray process survived its cleanup");
    } finally {
      others.forEach(Process::destroyForcibly);
      own.destroyForcibly();
    }
  }

  @Test
  void srunModeOutsideAnAllocationIsAClearError() {
    Result r = Launcher.run(LIMIT, Map.of("SLURM_JOB_ID", ""), "-np", "2", "-dev", "niodev",
        "-launch", "srun", "selftest");
    assertEquals(2, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("SLURM_JOB_ID is not set"), r.toString());
    Result env = Launcher.run(LIMIT, Map.of("SLURM_JOB_ID", "", "PSCREEN2VEC_LAUNCH", "srun"),
        "-np", "2", "-dev", "niodev", "selftest");
    assertEquals(2, env.exitCode(), env.toString());
    Result bad = Launcher.run(LIMIT, "-np", "2", "-launch", "ssh", "selftest");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.stderr().contains("must be local or srun"), bad.toString());
  }

  /** hybdev locally: one or two JVMs of rank threads, started by the launcher, no MPJ daemon. */
  @Test
  void hybdevRunsLocallyWithoutADaemon() {
    for (String jvms : List.of("1", "2")) {
      Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_HYBDEV_JVMS", jvms), "-np", "3", "-dev",
          "hybdev", "selftest");
      assertEquals(0, r.exitCode(), r.toString());
      assertTrue(r.stdout().contains("selftest OK: 3 ranks"), r.toString());
      assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
          + Launcher.leftovers(r.jobId()));
    }
  }

  /** -time-limit ends a job that runs too long with status 3 and nothing left running. */
  @Test
  void timeLimitEndsTheJobWithStatusThree() {
    Result r = Launcher.run(LIMIT, "-np", "2", "-dev", "niodev", "-time-limit", "4",
        "bench-collectives", "--algorithms", "star", "--min-bytes", "67108864", "--max-bytes",
        "67108864", "--iters", "10000");
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("ran longer than its time limit (4 s"), r.toString());
    assertTrue(r.seconds() < 40, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
    Result bad = Launcher.run(LIMIT, "-np", "2", "-term-grace", "soon", "selftest");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.stderr().contains("-term-grace"), bad.toString());
  }
}
