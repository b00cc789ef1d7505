package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.testutil.Launcher.Result;

/**
 * MPJ Express's native device over Open MPI ({@code -dev native}), on real jobs started by
 * {@code bin/pscreen2vec} through Open MPI's {@code mpirun}: every allreduce exact on 2 ranks
 * (shared memory) and 4 ranks (TCP), check-sync's parameters bitwise equal to a multicore run's
 * (ring on 3 ranks, and a BSP parameter server, which equals ring), a short MLP training run, and a
 * rank that dies making the job fail with status 3 naming it, within its deadline, with nothing
 * left running. (Under Slurm, {@code -launch srun}: SlurmIT.)
 *
 * <p>The library is built first by {@code bin/prepare-native-mpj} (fast when it is built). Where
 * this machine lacks what it needs (Open MPI and no root to install it, no network for MPJ's
 * sources; the script's status 3) the tests are skipped with its reason, except as root with
 * apt-get (as in CI), where everything can be installed: there that is a failure unless
 * {@code PSCREEN2VEC_SKIP_NATIVE=1}.
 */
class NativeDeviceIT {
  private static final Duration LIMIT = Duration.ofMinutes(3);
  private static final Duration PREPARE_LIMIT = Duration.ofMinutes(10);

  @BeforeAll
  static void buildTheLibrary() throws IOException, InterruptedException {
    Path log = Files.createTempFile("prepare-native-mpj", ".out");
    Process p = new ProcessBuilder(Launcher.root().resolve("bin/prepare-native-mpj").toString())
        .directory(Launcher.root().toFile()).redirectErrorStream(true).redirectOutput(log.toFile())
        .start();
    if (!p.waitFor(PREPARE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail("bin/prepare-native-mpj did not end within " + PREPARE_LIMIT + ":\n"
          + Files.readString(log));
    }
    String out = Files.readString(log);
    Files.deleteIfExists(log);
    if (p.exitValue() == 3) {
      boolean canInstall = "root".equals(System.getProperty("user.name"))
          && Files.isExecutable(Path.of("/usr/bin/apt-get"));
      if (!canInstall || "1".equals(System.getenv("PSCREEN2VEC_SKIP_NATIVE"))) {
        System.err.println("NativeDeviceIT SKIPPED: " + out);
        Assumptions.abort("the native device cannot be built here: " + out);
      }
      fail("the native device could not be built although this is root with apt-get (set "
          + "PSCREEN2VEC_SKIP_NATIVE=1 to skip it):\n" + out);
    }
    assertEquals(0, p.exitValue(), "bin/prepare-native-mpj failed:\n" + out);
  }

  private static void assertAllCorrect(Result r, int ranks) {
    Launcher.assertCheckCollectivesOk(r, ranks);
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  @Test
  void everyAlgorithmIsExactOnTwoRanksOverSharedMemory() {
    // 4 Mi floats: larger than one 16 MiB segment, so the ring pipelines over several messages
    Result r = Launcher.run(LIMIT, "-np", "2", "-dev", "native", "-btl", "self,vader",
        "check-collectives", "--lengths", "0,1,p-1,p,p+1,1000003,4194304");
    assertAllCorrect(r, 2);
  }

  @Test
  void everyAlgorithmIsExactOnFourRanksOverTcp() {
    Result r = Launcher.run(LIMIT, "-np", "4", "-dev", "native", "-btl", "self,tcp",
        "check-collectives", "--segment", "1000", "--lengths", "0,1,p-1,p,p+1,65537");
    assertAllCorrect(r, 4);
  }

  /** check-sync's final parameters (final.f32) of a job. */
  private static byte[] checkSync(String np, String dev, String... extra) throws IOException {
    List<String> a = new ArrayList<>(List.of("-np", np, "-dev", dev, "check-sync",
        "--steps", "12"));
    a.addAll(List.of(extra));
    Result r = Launcher.run(LIMIT, a.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.toString());
    return Files.readAllBytes(Launcher.resultsDir().resolve("check-sync").resolve(r.jobId())
        .resolve("final.f32"));
  }

  /**
   * The same training on native and on multicore ends with the same bits: the device moves bytes,
   * it must not change a sum. A BSP parameter server over native equals ring (as on niodev).
   */
  @Test
  void checkSyncMatchesMulticoreBitForBit() throws IOException {
    byte[] multicore = checkSync("3", "multicore", "--strategy", "ring");
    byte[] nativeRing = checkSync("3", "native", "--strategy", "ring");
    assertTrue(multicore.length > 0);
    assertArrayEquals(multicore, nativeRing, "ring on 3 ranks: native differs from multicore");
    byte[] twoWorkers = checkSync("2", "multicore", "--strategy", "ring");
    byte[] nativePs = checkSync("3", "native", "--strategy", "ps", "--servers", "1",
        "--consistency", "bsp");
    assertArrayEquals(twoWorkers, nativePs, "ps (bsp) over native differs from ring");
  }

  @Test
  void shortMlpTrainingSucceeds() throws IOException {
    Result r = Launcher.run(LIMIT, "-np", "2", "-dev", "native", "train", "--config",
        "configs/fashion-mlp-local.properties", "--set", "max.steps=20", "--strategy", "ring",
        "--experiment", "native-it");
    assertEquals(0, r.exitCode(), r.toString());
    Path run = Launcher.resultsDir().resolve("native-it").resolve(r.jobId());
    List<String> epochs = Files.readAllLines(run.resolve("epochs.csv"));
    assertEquals(2, epochs.size(), "one epoch row expected: " + epochs);
    assertTrue(Files.readString(run.resolve("run.json")).contains("\"device\": \"native\""),
        "run.json does not name the device");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  @Test
  void aRankThatDiesMakesTheJobFailNamingIt() {
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_ABORT_GRACE", "5"), "-np", "3", "-dev",
        "native", "selftest", "--deadline", "3", "--exit-early-rank", "1");
    assertEquals(3, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("waiting for rank 1"), r.toString());
    assertTrue(Pattern.compile("rank\\(s\\) ([0-9]+ )*1( [0-9]+)* did not report")
        .matcher(r.stderr()).find(), r.toString());
    // deadline 3 s + grace 5 s + start-up: never a hang
    assertTrue(r.seconds() < 30, "took " + r.seconds() + " s");
    assertTrue(Launcher.leftovers(r.jobId()).isEmpty(), "left behind: "
        + Launcher.leftovers(r.jobId()));
  }

  @Test
  void launcherOptionsThatDoNotGoWithNativeAreClearErrors() {
    Result btl = Launcher.run(LIMIT, "-np", "2", "-btl", "self,tcp", "selftest");
    assertEquals(2, btl.exitCode(), btl.toString());
    assertTrue(btl.stderr().contains("it needs -dev native"), btl.toString());
    Result bad = Launcher.run(LIMIT, "-np", "2", "-dev", "native", "-btl", "tcp;rm", "selftest");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.stderr().contains("got 'tcp;rm'"), bad.toString());
    Result hosts = Launcher.run(LIMIT, "-np", "2", "-dev", "native", "-machinesfile",
        "/etc/hostname", "selftest");
    assertEquals(2, hosts.exitCode(), hosts.toString());
    assertTrue(hosts.stderr().contains("-dev native does not take -machinesfile"),
        hosts.toString());
  }
}
