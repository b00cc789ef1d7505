package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.pscreen2vec.testutil.Launcher.Result;
import org.pscreen2vec.testutil.Launcher;

/** The self-test and the failure paths of the launcher, on real MPJ Express jobs. */
class SelfTestIT {
  private static final Duration LIMIT = Duration.ofSeconds(90);

  @ParameterizedTest(name = "{0} ranks on {1}")
  @CsvSource({"1,multicore", "2,multicore", "4,multicore", "1,niodev", "2,niodev", "4,niodev"})
  void selftestSucceedsAndCleansUp(int np, String dev) throws Exception {
    Result r = Launcher.run(LIMIT, "-np", "" + np, "-dev", dev, "selftest");
    assertEquals(0, r.exitCode(), r.toString());
    Matcher m = Pattern.compile("selftest OK: (\\d+) ranks \\((\\d+) workers, 0 servers\\).*device "
        + dev).matcher(r.stdout());
    assertTrue(m.find(), r.toString());
    assertEquals(np, Integer.parseInt(m.group(1)));
    for (int i = 0; i < np; i++) {
      assertTrue(r.stdout().contains("r" + i + " worker@"), "rank " + i + " missing\n" + r);
    }
    assertTrue(r.seconds() < 30, "took " + r.seconds() + " s");
    Path dir = Launcher.resultsDir().resolve("selftest").resolve(r.jobId());
    assertTrue(Files.exists(dir.resolve("selftest.txt")), "no selftest.txt in " + dir);
    for (int i = 0; i < np; i++) {
      assertTrue(Files.exists(dir.resolve("rank-" + i + ".log")), "no log of rank " + i);
    }
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  @ParameterizedTest(name = "servers on {0}")
  @ValueSource(strings = {"multicore", "niodev"})
  void rolesWithOneServer(String dev) {
    Result r = Launcher.run(LIMIT, "-np", "3", "-dev", dev, "selftest", "--servers", "1");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stdout().contains("3 ranks (2 workers, 1 servers)"), r.toString());
    assertTrue(r.stdout().contains("r0 worker@") && r.stdout().contains("r1 worker@")
        && r.stdout().contains("r2 server@"), r.toString());
  }

  @ParameterizedTest(name = "dead rank on {0}")
  @ValueSource(strings = {"multicore", "niodev"})
  void aRankThatLeavesMakesTheOthersFailNamingIt(String dev) {
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_ABORT_GRACE", "5"), "-np", "3", "-dev", dev,
        "selftest", "--deadline", "3", "--exit-early-rank", "1");
    assertEquals(3, r.exitCode(), r.toString());
    // the others either time out waiting for rank 1 or (niodev) see its connection close
    assertTrue(names(r.stderr(), 1), r.toString());
    // rank 1 never reports; in multicore the first rank to fail ends the shared JVM, so another
    // rank that timed out at the same moment may be listed with it ("rank(s) 0 1 did not ...")
    assertTrue(java.util.regex.Pattern.compile(
        "rank\\(s\\) ([0-9]+ )*1( [0-9]+)* did not report").matcher(r.stderr()).find(),
        r.toString());
    // deadline 3 s + grace 5 s + start-up; far below the limit, never a hang.
    assertTrue(r.seconds() < 25, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  /**
   * On niodev (and hybdev, whose JVMs talk over niodev), MPJ closes every connection of a rank
   * once one peer's connection closes, so the survivors cannot wait for each other either: each
   * must stop at once (long before its 60 s deadline) with a lost-peer error. The first survivor
   * to react can only have reacted to the rank that left, so at least one names it; a later one
   * may name only survivors that MPJ had already cut off while its own connection to the rank
   * that left was still open (seen twice in about 40 runs, e.g. "rank 2 lost ranks 1, 3" where
   * rank 0 left).
   */
  @ParameterizedTest(name = "{0}: rank {2} of {1} leaves at {3}")
  @CsvSource({"niodev,3,1,start", "niodev,4,2,start", "niodev,4,0,start", "hybdev,3,2,start",
      "niodev,3,1,mpj-allreduce", "niodev,4,0,mpj-allreduce", "hybdev,3,1,mpj-allreduce"})
  void overNiodevEverySurvivorStopsAtOnceAndTheRankThatLeftIsNamed(String dev, int np,
      int vanishing, String at) {
    // hybdev: two JVMs (ranks 0-1 and 2) that talk over niodev; rank 2 leaving ends its JVM.
    // mpj-allreduce: the rank leaves once the others are inside MPJ's own Allreduce, whose waits
    // have no deadline of their own and ignore interrupts on niodev and hybdev (they ran on until
    // the launcher's time limit before).
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_ABORT_GRACE", "5",
        "PSCREEN2VEC_HYBDEV_JVMS", "2"), "-np", "" + np, "-dev", dev, "selftest", "--deadline",
        "60", "--exit-early-rank", "" + vanishing, "--exit-early-at", at);
    assertEquals(3, r.exitCode(), r.toString());
    int naming = 0;
    for (int rank = 0; rank < np; rank++) {
      if (rank == vanishing) {
        continue;
      }
      Matcher m = Pattern.compile("rank " + rank + " failed \\(exit 3\\): (rank " + rank
          + " lost .*)").matcher(r.stderr());
      if (m.find()) {
        naming += names(m.group(1), vanishing) ? 1 : 0;
        if (at.equals("mpj-allreduce")) {
          // "seen while it waited in MPJ's own Allreduce ...", or "seen when MPJ's own
          // Allreduce ... failed" where MPJ's send to the rank that left failed first
          assertTrue(m.group(1).contains("MPJ's own Allreduce of 1 float"), r.toString());
        }
      } else {
        // hybdev: the first rank of a JVM to fail ends that JVM, its other ranks with it
        assertEquals("hybdev", dev, "no lost-peer failure of rank " + rank + "\n" + r);
      }
    }
    assertTrue(naming > 0, "no survivor names rank " + vanishing + "\n" + r);
    // the launcher knows each rank's JVM here: the one that left is named as ended on its own
    assertTrue(Pattern.compile("rank\\(s\\) ([0-9]+ )*" + vanishing + "( [0-9]+)* did not "
        + "report: the process ended first \\(exit status 0").matcher(r.stderr()).find(),
        r.toString());
    assertFalse(r.stderr().contains("gave up after"), r.toString());
    // start-up + the grace of 5 s; a rank that waited out its deadline would take over 60 s
    assertTrue(r.seconds() < 30, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  /**
   * MPJ's own Allreduce on multicore, whose waits end when interrupted: the survivors give up at
   * their deadline, after the stall report at half of it. Before, the job ran until the launcher's
   * time limit (24 h by default).
   */
  @Test
  void onMulticoreMpjsOwnAllreduceEndsAtTheDeadline() {
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_ABORT_GRACE", "5"), "-np", "3", "-dev",
        "multicore", "selftest", "--deadline", "6", "--exit-early-rank", "1", "--exit-early-at",
        "mpj-allreduce");
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("gave up after 6.0 s waiting for any rank (MPJ's own "
        + "Allreduce of 1 float on communicator 'world')"), r.toString());
    // the watch looks every 20 ms, later on a loaded host: "has waited 3.0 s", or a little more
    assertTrue(Pattern.compile("has waited [0-9.]+ s \\(half its 6\\.0 s deadline\\) for any "
        + "rank: MPJ's own Allreduce").matcher(r.all()).find(), r.toString());
    assertTrue(r.seconds() < 40, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  /**
   * A rank's JVM killed with SIGKILL, as the kernel's out-of-memory killer would, in the middle of
   * training with MPJ's own Allreduce: the others stop within seconds, and the launcher, which
   * started every rank's JVM itself, says which rank's process ended first and how.
   */
  @Test
  void aRankKilledBySignalIsNamedWithTheSignal() throws Exception {
    String jobId = "test-" + ProcessHandle.current().pid() + "-kill9";
    AtomicBoolean killed = new AtomicBoolean();
    Thread killer = new Thread(() -> killed.set(killRank(jobId, 1)));
    killer.start();
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_JOB_ID", jobId,
        "PSCREEN2VEC_ABORT_GRACE", "5"), "-np", "3", "-dev", "niodev", "check-sync",
        "--strategy", "mpj", "--steps", "1000000", "--slow-worker-ms", "2", "--deadline", "60");
    killer.join();
    assertTrue(killed.get(), "rank 1's JVM was not found to kill\n" + r);
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("rank(s) 1 did not report: the process ended first (killed "
        + "by signal 9, KILL"), r.toString());
    assertTrue(r.seconds() < 40, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(jobId).isEmpty(), "left behind: " + Launcher.leftovers(jobId));
  }

  /** Waits (up to 60 s) for rank {@code rank}'s JVM of the job, lets it run 3 s, kills it. */
  private static boolean killRank(String jobId, int rank) {
    Pattern rankJvm = Pattern.compile("=" + Pattern.quote(jobId) + " .*runtime\\.daemon\\."
        + "Wrapper .* " + rank + " org\\.pscreen2vec\\.Main ");
    long end = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < end) {
      Optional<ProcessHandle> jvm = ProcessHandle.allProcesses().filter(ph -> ph.info()
          .commandLine().map(c -> rankJvm.matcher(c).find()).orElse(false)).findFirst();
      try {
        if (jvm.isPresent()) {
          Thread.sleep(3000); // into its training
          return jvm.get().destroyForcibly(); // SIGKILL
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** Whether a failure message names {@code rank} as the peer it waited for or lost. */
  private static boolean names(String message, int rank) {
    return Pattern.compile("waiting for rank " + rank + "\\b|lost ranks? ([0-9]+, )*" + rank
        + "\\b").matcher(message).find();
  }

  @Test
  void usageErrorsExitTwoWithAHint() {
    // Under multicore MPJ the ranks' stderr reaches the launcher's stdout, so look at both.
    Result unknown = Launcher.run(LIMIT, "-np", "2", "nosuchcommand");
    assertEquals(2, unknown.exitCode(), unknown.toString());
    assertTrue(unknown.all().contains("unknown subcommand 'nosuchcommand'")
        && unknown.all().contains("selftest"), unknown.toString());
    Result badOpt = Launcher.run(LIMIT, "-np", "2", "selftest", "--no-such-option");
    assertEquals(2, badOpt.exitCode(), badOpt.toString());
    assertTrue(badOpt.all().contains("--no-such-option"), badOpt.toString());
    Result badValue = Launcher.run(LIMIT, "-np", "2", "selftest", "--deadline", "soon");
    assertEquals(2, badValue.exitCode(), badValue.toString());
    assertTrue(badValue.all().contains("--deadline soon is not a number"), badValue.toString());
    Result tooManyServers = Launcher.run(LIMIT, "-np", "2", "selftest", "--servers", "2");
    assertEquals(2, tooManyServers.exitCode(), tooManyServers.toString());
    assertTrue(tooManyServers.all().contains("leaves no worker"), tooManyServers.toString());
    Result plainUnknown = Launcher.run(LIMIT, "nosuchcommand");
    assertEquals(2, plainUnknown.exitCode(), plainUnknown.toString());
    Result badNp = Launcher.run(LIMIT, "-np", "zero", "selftest");
    assertEquals(2, badNp.exitCode(), badNp.toString());
    assertTrue(badNp.all().contains("-np must be a positive whole number"), badNp.toString());
  }

  @Test
  void theProgramsJarAloneWithoutItsLibrariesIsNamedBeforeAnyRankStarts(@TempDir Path dir)
      throws Exception {
    // before: every rank died of a NoClassDefFoundError in a thread of MPJ's, exit status 0
    Path jar = Files.copy(Launcher.buildDir().resolve("pscreen2vec.jar"),
        dir.resolve("pscreen2vec.jar"));
    Result alone = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_CLASSPATH", jar.toString()), "-np",
        "2", "-dev", "niodev", "selftest");
    assertEquals(2, alone.exitCode(), alone.toString());
    assertTrue(alone.stderr().contains("PSCREEN2VEC_CLASSPATH=" + jar + ": a jar alone, and no "
        + "lib/ beside it") && !alone.all().contains("NoClassDefFoundError"), alone.toString());
    // the libraries named beside it: the job runs
    Result named = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_CLASSPATH", jar + ":"
        + Launcher.buildDir().resolve("lib") + "/*"), "-np", "2", "-dev", "niodev",
        "selftest");
    assertEquals(0, named.exitCode(), named.toString());
    assertTrue(named.stdout().contains("selftest OK: 2 ranks"), named.toString());
  }

  @Test
  void helpIsActionable() {
    Result main = Launcher.run(LIMIT, "--help");
    assertEquals(0, main.exitCode(), main.toString());
    assertTrue(main.stdout().contains("bin/pscreen2vec -np N") && main.stdout().contains("selftest"),
        main.toString());
    Result sub = Launcher.run(LIMIT, "selftest", "--help");
    assertEquals(0, sub.exitCode(), sub.toString());
    assertTrue(sub.stdout().contains("--deadline") && sub.stdout().contains("--servers")
        && sub.stdout().contains("Examples"), sub.toString());
    Result launcher = Launcher.run(LIMIT, "--launcher-help");
    assertEquals(0, launcher.exitCode(), launcher.toString());
    assertTrue(launcher.stdout().contains("MPJ_HOME"), launcher.toString());
  }

  @Test
  void withoutMpjExpressTheLauncherSaysHowToGetIt() {
    Result r = Launcher.run(LIMIT, Map.of("MPJ_HOME", "/nonexistent/mpj",
        "PSCREEN2VEC_MPJ_FALLBACK", "/nonexistent/fallback"), "-np", "2", "selftest");
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("make mpj") && r.stderr().contains("MPJ_HOME"), r.toString());
    // Rank-less subcommands and help still work without MPJ.
    Result help = Launcher.run(LIMIT, Map.of("MPJ_HOME", "/nonexistent/mpj",
        "PSCREEN2VEC_MPJ_FALLBACK", "/nonexistent/fallback"), "--help");
    assertEquals(0, help.exitCode(), help.toString());
  }
}
