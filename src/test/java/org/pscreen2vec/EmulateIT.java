package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.testutil.Launcher;
import org.pscreen2vec.testutil.Launcher.Result;

/**
 * The launcher's emulated network ({@code -emulate}) and its process hygiene, with real jobs:
 * nothing (namespace, link, state folder, process) is left after an emulated job, after its
 * launcher is killed with SIGKILL (the reaper), or after SIGTERM (forwarded to the ranks, exit
 * 143); bad -emulate values are one-line errors with status 2. The emulated tests need root and
 * iproute2 and are skipped with the reason where those are missing.
 */
class EmulateIT {
  /** The background jobs' output files (JUnit removes the folder after the class). */
  @TempDir
  static Path outputs;
  private static final Duration LIMIT = Duration.ofSeconds(120);
  private static final Path STATE = Paths.get("/run/pscreen2vec-emulate");

  private static boolean canEmulate;
  private static String whyNot = "";

  @BeforeAll
  static void probe() throws Exception {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes()).trim();
    id.waitFor();
    if (!uid.equals("0")) {
      whyNot = "not root (uid " + uid + "): -emulate creates network namespaces";
    } else if (!onPath("ip") || !onPath("tc")) {
      whyNot = "iproute2 (ip, tc) is not installed: apt-get install iproute2";
    } else {
      canEmulate = true;
    }
  }

  private static boolean onPath(String tool) {
    return Stream.of(System.getenv("PATH").split(":"))
        .anyMatch(d -> Files.isExecutable(Paths.get(d, tool)));
  }

  private static void needEmulation() {
    Assumptions.assumeTrue(canEmulate, "skipped: " + whyNot);
  }

  /** Namespaces and links of emulated jobs (names start with p2v). */
  private static List<String> netLeftovers() throws Exception {
    List<String> out = new ArrayList<>();
    for (String[] cmd : new String[][] {{"ip", "netns", "list"}, {"ip", "-o", "link", "show"}}) {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      for (String line : new String(p.getInputStream().readAllBytes()).split("\n")) {
        String name = line.startsWith("p2v") ? line.split(" ")[0]
            : line.contains(": p2v") ? line.split(": ")[1].split("[@:]")[0] : null;
        if (name != null) {
          out.add(name);
        }
      }
      p.waitFor();
    }
    return out;
  }

  /** State folders of emulated jobs that belong to jobId. */
  private static List<Path> stateOf(String jobId) throws IOException {
    if (!Files.isDirectory(STATE)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(STATE)) {
      for (Path d : s.toList()) {
        Path job = d.resolve("job");
        if (Files.exists(job) && Files.readString(job).trim().equals(jobId)) {
          out.add(d);
        }
      }
    }
    return out;
  }

  private static Process start(String jobId, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Launcher.root().resolve("bin/pscreen2vec").toString());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Launcher.root().toFile())
        .redirectErrorStream(true)
        .redirectOutput(Files.createTempFile(outputs, "emulate-it", ".out").toFile());
    pb.environment().put("PSCREEN2VEC_CLASSPATH", Launcher.classPath());
    pb.environment().put("PSCREEN2VEC_RESULTS", Launcher.resultsDir().toString());
    pb.environment().put("PSCREEN2VEC_JOB_ID", jobId);
    return pb.start();
  }

  private static void awaitGone(String jobId, List<String> netBefore, int seconds)
      throws Exception {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < end) {
      List<String> net = netLeftovers();
      net.removeAll(netBefore);
      if (Launcher.leftovers(jobId).isEmpty() && stateOf(jobId).isEmpty() && net.isEmpty()) {
        return;
      }
      Thread.sleep(250);
    }
    List<String> net = netLeftovers();
    net.removeAll(netBefore);
    fail("job " + jobId + " left after " + seconds + " s: processes " + Launcher.leftovers(jobId)
        + ", state " + stateOf(jobId) + ", namespaces/links " + net);
  }

  private static void awaitRunning(String jobId, Process p, boolean emulated) throws Exception {
    long end = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < end) {
      if (!p.isAlive()) {
        fail("the job ended before it could be stopped: exit " + p.exitValue());
      }
      if (Launcher.leftovers(jobId).size() >= 2 && (!emulated || !stateOf(jobId).isEmpty())) {
        Thread.sleep(2000); // let the ranks connect
        return;
      }
      Thread.sleep(200);
    }
    fail("job " + jobId + " did not start within 60 s");
  }

  @Test
  void emulatedJobRunsAndLeavesNothing() throws Exception {
    needEmulation();
    List<String> before = netLeftovers();
    Result r = Launcher.run(LIMIT, "-np", "3", "-dev", "niodev", "-emulate", "1gbit,50us",
        "selftest");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.all().contains("selftest OK: 3 ranks"), r.toString());
    assertTrue(r.stderr().contains("emulated network 1gbit"), r.toString());
    awaitGone(r.jobId(), before, 5);
  }

  @Test
  void killedLauncherLeavesNothing() throws Exception {
    needEmulation();
    List<String> before = netLeftovers();
    String job = "emulate-kill-" + ProcessHandle.current().pid();
    Process p = start(job, "-np", "2", "-dev", "niodev", "-emulate", "100mbit",
        "bench-collectives", "--algorithms", "ring", "--min-bytes", "67108864", "--max-bytes",
        "67108864", "--iters", "100");
    try {
      awaitRunning(job, p, true);
      p.destroyForcibly(); // SIGKILL: no trap runs, the reaper must clean up
      p.waitFor(10, TimeUnit.SECONDS);
      awaitGone(job, before, 20);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void sigtermStopsTheRanksWithStatus143() throws Exception {
    String job = "term-" + ProcessHandle.current().pid();
    Process p = start(job, "-np", "2", "-dev", "niodev", "-term-grace", "5",
        "bench-collectives", "--algorithms", "star", "--min-bytes", "67108864",
        "--max-bytes", "67108864", "--iters", "1000");
    try {
      awaitRunning(job, p, false);
      assertTrue(ProcessHandle.allProcesses().noneMatch(h -> h.info().commandLine()
          .map(c -> c.contains("daemonOf=" + job)).orElse(false)),
          "a local niodev job started an MPJ daemon");
      p.destroy(); // SIGTERM
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the launcher did not end after SIGTERM");
      assertEquals(143, p.exitValue());
      awaitGone(job, netLeftovers(), 10);
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void hostSettingsAreAppliedAndCheckedBeforeAnythingIsMade() throws Exception {
    needEmulation();
    List<String> before = netLeftovers();
    Result r = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_EMULATE_QDISC", "htb",
        "PSCREEN2VEC_EMULATE_MTU", "9000", "PSCREEN2VEC_EMULATE_NF", "0"), "-np", "2", "-dev",
        "niodev", "-emulate", "100mbit", "selftest");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.stderr().contains("(htb, MTU 9000, bridge netfilter off)"), r.toString());
    awaitGone(r.jobId(), before, 5);
    Result bad = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_EMULATE_QDISC", "cbq"), "-np", "2",
        "-dev", "niodev", "-emulate", "100mbit", "selftest");
    assertEquals(2, bad.exitCode(), bad.toString());
    assertTrue(bad.stderr().contains("PSCREEN2VEC_EMULATE_QDISC must be tbf or htb, got 'cbq'"),
        bad.toString());
  }

  @Test
  void badEmulationsAreOneLineErrors() {
    Result rate = Launcher.run(LIMIT, "-np", "2", "-dev", "niodev", "-emulate", "1gbps",
        "selftest");
    assertEquals(2, rate.exitCode(), rate.toString());
    assertTrue(rate.stderr().contains("bad rate '1gbps'"), rate.toString());
    Result mc = Launcher.run(LIMIT, "-np", "2", "-emulate", "1gbe", "selftest");
    assertEquals(2, mc.exitCode(), mc.toString());
    assertTrue(mc.stderr().contains("-emulate needs -dev niodev"), mc.toString());
    // through the environment a multicore job runs unshaped (a study's multicore cells)
    Result env = Launcher.run(LIMIT, Map.of("PSCREEN2VEC_EMULATE", "1gbe"), "-np", "2",
        "selftest");
    assertEquals(0, env.exitCode(), env.toString());
    assertTrue(env.stderr().contains("does not apply to a multicore job"), env.toString());
  }
}
