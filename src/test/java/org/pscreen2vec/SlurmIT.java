package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pscreen2vec.testutil.Launcher;

/**
 * The Slurm scripts on a real one-node Slurm started on this machine ({@code slurm/local-cluster},
 * installed with apt-get when missing and root): {@code train.sbatch} with {@code sbatch --wait},
 * a two-task {@code study.sbatch} array, a failing rank under {@code -launch srun}, hybdev under
 * srun, and
 * {@code scancel} of a running job leaving nothing behind. Where Slurm cannot be installed the
 * test fails, unless {@code PSCREEN2VEC_SKIP_SLURM=1} is set (then it is skipped).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SlurmIT {
  private static final Duration JOB_LIMIT = Duration.ofMinutes(3);
  private static final String TINY = "--set synthetic.screens=300 --set epochs=1 --set max.steps=6";
  private static Path clusterDir;
  private static Path work;
  private static final Map<String, String> ENV = new HashMap<>();
  private static boolean started;

  record Out(int code, String text) {}

  @BeforeAll
  static void startCluster() throws Exception {
    clusterDir = Files.createTempDirectory(Path.of("/tmp"), "ps2v-slurm-it");
    work = Files.createDirectories(Launcher.resultsDir().resolve("slurm-it-" + ProcessHandle
        .current().pid()));
    ENV.put("PSCREEN2VEC_SLURM_DIR", clusterDir.toString());
    ENV.put("PSCREEN2VEC_SLURMCTLD_PORT", "" + freePort());
    ENV.put("PSCREEN2VEC_SLURMD_PORT", "" + freePort());
    ENV.put("SLURM_CONF", clusterDir.resolve("slurm.conf").toString());
    ENV.put("PSCREEN2VEC_CLASSPATH", Launcher.classPath());
    ENV.put("PSCREEN2VEC_RESULTS", work.toString());
    ENV.put("PSCREEN2VEC_HOME", Launcher.root().toString());
    Out o = sh(Duration.ofMinutes(8), "slurm/local-cluster", "start");
    if (o.code == 3) {
      if ("1".equals(System.getenv("PSCREEN2VEC_SKIP_SLURM"))) {
        System.err.println("SlurmIT SKIPPED (PSCREEN2VEC_SKIP_SLURM=1): " + o.text);
        Assumptions.abort("Slurm cannot be installed here and PSCREEN2VEC_SKIP_SLURM=1: " + o.text);
      }
      fail("Slurm is not installed and cannot be installed here (need root and apt-get); set "
          + "PSCREEN2VEC_SKIP_SLURM=1 to skip the Slurm tests.\n" + o.text);
    }
    assertEquals(0, o.code, "slurm/local-cluster start failed:\n" + o.text);
    started = true;
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (clusterDir == null) {
      return;
    }
    Out o = sh(Duration.ofMinutes(1), "slurm/local-cluster", "stop");
    String dir = clusterDir.toString();
    String left = ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse(""))
        .filter(c -> c.contains(dir) && (c.contains("slurmctld") || c.contains("slurmd")
            || c.contains("munged")))
        .collect(Collectors.joining("\n"));
    if (started && o.code == 0 && left.isBlank()) {
      deleteTree(clusterDir);
    }
    assertEquals(0, o.code, "slurm/local-cluster stop failed:\n" + o.text);
    assertTrue(left.isBlank(), "Slurm daemons left running:\n" + left);
  }

  @Test
  @Order(1)
  void trainSbatchTrainsAndRecordsTheRun() throws Exception {
    String exp = "train-" + ProcessHandle.current().pid();
    Path out = work.resolve("train-%j.out");
    List<String> cmd = new ArrayList<>(List.of("sbatch", "--wait", "--parsable", "-n", "2",
        "--overcommit", "-o", out.toString(), "slurm/train.sbatch", "--model", "screen2vec",
        "--strategy", "ring", "--experiment", exp));
    cmd.addAll(Arrays.asList(TINY.split(" ")));
    Out o = sh(JOB_LIMIT, cmd.toArray(String[]::new));
    String job = o.text.lines().filter(l -> l.matches("\\d+(;.*)?")).findFirst().orElse("?")
        .split(";")[0];
    String log = readIfExists(work.resolve("train-" + job + ".out"));
    assertEquals(0, o.code, "sbatch --wait train.sbatch:\n" + o.text + "\n--- job output\n" + log);
    Path run = work.resolve(exp).resolve("slurm-" + job);
    assertTrue(Files.exists(run.resolve("run.json")), "no run.json in " + run + "\n" + log);
    String runJson = Files.readString(run.resolve("run.json"));
    assertTrue(runJson.contains("niodev"), "run.json does not name niodev:\n" + runJson);
    for (int r = 0; r < 2; r++) {
      assertTrue(Files.exists(run.resolve("rank-" + r + ".log")), "no log of rank " + r);
    }
    List<String> summary = Files.readAllLines(work.resolve(exp).resolve("summary.csv"));
    assertEquals(2, summary.size(), "summary.csv: header and one row expected: " + summary);
    assertTrue(summary.get(1).contains("slurm-" + job), "summary row is not this job's: "
        + summary);
    assertTrue(log.contains("train done"), log);
    assertNothingLeft(job);
  }

  @Test
  @Order(2)
  void studyArrayRunsOneCellPerTask() throws Exception {
    Path config = Launcher.root().resolve("src/test/resources/slurm-it-study.properties");
    Path results = work.resolve("study");
    Out groups = sh(Duration.ofMinutes(1), "env", "DRY_RUN=1", "slurm/submit-study",
        config.toString(), "--overcommit", "--", "--results", results.toString());
    assertEquals(0, groups.code, groups.text);
    assertTrue(groups.text.contains("--array=1 --ntasks=1 --overcommit")
        && groups.text.contains("--array=2 --ntasks=2 --overcommit"), "submit-study: "
        + groups.text);
    Path out = work.resolve("study-%A_%a.out");
    Out o = sh(JOB_LIMIT, "sbatch", "--wait", "--parsable", "--array=1-2", "-n", "2",
        "--overcommit", "-o", out.toString(), "slurm/study.sbatch", config.toString(),
        "--results", results.toString());
    String job = o.text.lines().filter(l -> l.matches("\\d+(;.*)?")).findFirst().orElse("?")
        .split(";")[0];
    String logs = readIfExists(work.resolve("study-" + job + "_1.out")) + "\n"
        + readIfExists(work.resolve("study-" + job + "_2.out"));
    assertEquals(0, o.code, "sbatch --wait study.sbatch:\n" + o.text + "\n--- output\n" + logs);
    Path study = results.resolve("slurm-it-study");
    Path tiny = study.resolve("tiny");
    for (String cell : List.of("tiny.niodev.none.w1", "tiny.niodev.ring.w2")) {
      Path run = tiny.resolve("slurm-it-study." + cell + ".r1");
      assertTrue(Files.exists(run.resolve("run.json")), "no run.json of cell " + cell + " in "
          + run + "\n" + logs);
    }
    List<String> summary = Files.readAllLines(tiny.resolve("summary.csv"));
    assertEquals(3, summary.size(), "summary.csv: a header and both cells' rows: " + summary);
    assertNothingLeft(job);
  }

  @Test
  @Order(3)
  void aFailingRankUnderSrunEndsTheJobWithItsStatus() throws Exception {
    Batch b = batch("fail", 3, "PSCREEN2VEC_ABORT_GRACE=5 exec bin/pscreen2vec -np 3 -dev niodev "
        + "-launch srun selftest --deadline 3 --exit-early-rank 1");
    assertEquals(3, b.out.code, "exit status 3 (a peer lost) expected:\n" + b);
    assertTrue(b.log.contains("rank 1"), "the lost rank is not named:\n" + b);
    assertNothingLeft(b.job);
  }

  @Test
  @Order(4)
  void hybdevUnderSrunRunsOneJvmPerNodeWithRanksAsThreads() throws Exception {
    // Two JVMs on the one node stand for two nodes: 3 ranks split 2 + 1, niodev between the JVMs.
    Batch b = batch("hybdev", 2,
        "PSCREEN2VEC_HYBDEV_JVMS=2 exec bin/pscreen2vec -np 3 -dev hybdev -launch srun selftest");
    assertEquals(0, b.out.code, "hybdev under srun:\n" + b);
    assertTrue(b.log.contains("selftest OK: 3 ranks") && b.log.contains("device hybdev"), b.log);
    assertNothingLeft(b.job);
  }

  @Test
  @Order(5)
  void scancelEndsARunningJobLeavingNothing() throws Exception {
    Path out = work.resolve("long-%j.out");
    Out o = sh(Duration.ofMinutes(1), "sbatch", "--parsable", "-n", "2", "--overcommit", "-o",
        out.toString(), "slurm/train.sbatch", "--model", "screen2vec", "--strategy", "ring",
        "--set", "synthetic.screens=300", "--set", "epochs=100000", "--experiment",
        "long-" + ProcessHandle.current().pid());
    assertEquals(0, o.code, o.text);
    String job = o.text.trim().split(";")[0];
    Path log = work.resolve("long-" + job + ".out");
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    // the progress line: "epoch 0 step 1/400000 loss ..." (once a step has run)
    java.util.regex.Pattern stepped = java.util.regex.Pattern.compile("epoch 0 step [1-9]");
    while (!stepped.matcher(readIfExists(log)).find() && System.nanoTime() < until) {
      Thread.sleep(250);
    }
    assertTrue(stepped.matcher(readIfExists(log)).find(), "the job did not start training in"
        + " 2 min:\n" + readIfExists(log) + "\n" + sh(Duration.ofSeconds(20), "squeue").text);
    assertTrue(!ranksOf(job).isEmpty(), "no rank JVM of job " + job + " found while it runs");
    long t0 = System.nanoTime();
    Out c = sh(Duration.ofSeconds(30), "scancel", job);
    assertEquals(0, c.code, c.text);
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until && !sh(Duration.ofSeconds(20), "squeue", "-h", "-j", job)
        .text.isBlank()) {
      Thread.sleep(200);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(sh(Duration.ofSeconds(20), "squeue", "-h").text.isBlank(),
        "squeue not empty " + seconds + " s after scancel:\n" + sh(Duration.ofSeconds(20),
            "squeue").text);
    assertNothingLeft(job);
    System.err.printf("SlurmIT: job %s ended %.1f s after scancel%n", job, seconds);
  }

  /** MPJ's native device under srun: one task per rank, Open MPI started by Slurm's PMIx. */
  @Test
  @Order(6)
  void nativeDeviceUnderSrunIsExact() throws Exception {
    Path lib = Launcher.root().resolve(".deps/mpj-native/libnativempjdev.so");
    Assumptions.assumeTrue(Files.exists(lib), "the native device is not built (make native-mpj; "
        + "NativeDeviceIT says why where it cannot be): no " + lib);
    Batch b = batch("native", 3, "PSCREEN2VEC_JOB_ID=slurm-$SLURM_JOB_ID exec bin/pscreen2vec "
        + "-np 3 -dev native -launch srun check-collectives --lengths 0,1,p-1,p,p+1,65537");
    assertEquals(0, b.out.code, "native under srun:\n" + b);
    assertTrue(b.log.contains("check-collectives OK: 4 algorithms on 3 ranks"), b.log);
    assertNothingLeft(b.job);
  }

  /** No rank JVM, port exchange or srun of the job, no status folder left. */
  private static void assertNothingLeft(String job) throws Exception {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    List<String> left = List.of();
    while (System.nanoTime() < until) {
      left = ranksOf(job);
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(250);
    }
    assertTrue(left.isEmpty(), "left running after job " + job + ":\n" + String.join("\n", left));
    Path jobs = work.resolve(".jobs");
    if (Files.isDirectory(jobs)) {
      try (Stream<Path> s = Files.list(jobs)) {
        List<String> dirs = s.map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith("slurm-" + job + ".") || n.startsWith("slurm-it-study."))
            .toList();
        assertTrue(dirs.isEmpty(), "job status folders left in " + jobs + ": " + dirs);
      }
    }
  }

  /** Live processes (rank JVMs, port exchange, srun) that belong to Slurm job {@code job}. */
  private static List<String> ranksOf(String job) {
    return ProcessHandle.allProcesses().filter(ProcessHandle::isAlive)
        .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse(""))
        .filter(c -> c.contains("=slurm-" + job + " ") || c.endsWith("=slurm-" + job)
            || c.contains("--job-name=pscreen2vec-slurm-" + job + " ")
            || (c.contains("srun ") && c.contains("pscreen2vec-slurm-it-study")))
        .collect(Collectors.toList());
  }

  /** What {@link #batch} saw: sbatch's own output, the job's id and the job's output file. */
  record Batch(Out out, String job, String log) {
    @Override
    public String toString() {
      return out.text + "\n--- job " + job + " output\n" + log;
    }
  }

  /**
   * Runs {@code command} from the repository as an {@code sbatch --wait} job of {@code tasks}
   * tasks ({@code NAME.sbatch}, its output in {@code NAME-JOB.out} of the work folder).
   */
  private static Batch batch(String name, int tasks, String command) throws Exception {
    Path script = work.resolve(name + ".sbatch");
    Files.writeString(script, "#!/bin/bash\ncd \"$PSCREEN2VEC_HOME\"\n" + command + "\n");
    Out o = sh(JOB_LIMIT, "sbatch", "--wait", "--parsable", "-n", String.valueOf(tasks),
        "--overcommit", "-o", work.resolve(name + "-%j.out").toString(), script.toString());
    String job = o.text.lines().filter(l -> l.matches("\\d+(;.*)?")).findFirst().orElse("?")
        .split(";")[0];
    return new Batch(o, job, readIfExists(work.resolve(name + "-" + job + ".out")));
  }

  private static Out sh(Duration limit, String... cmd) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Launcher.root().toFile())
        .redirectErrorStream(true);
    pb.environment().putAll(ENV);
    pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
    Path o = Files.createTempFile("slurm-it", ".out");
    pb.redirectOutput(o.toFile());
    Process p = pb.start();
    if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      fail(String.join(" ", cmd) + " did not end within " + limit + ":\n" + Files.readString(o));
    }
    String text = Files.readString(o, StandardCharsets.UTF_8);
    Files.deleteIfExists(o);
    return new Out(p.exitValue(), text);
  }

  private static String readIfExists(Path p) throws IOException {
    return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
