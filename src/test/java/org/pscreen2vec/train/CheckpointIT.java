package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.pscreen2vec.testutil.RunFiles.epochRows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.testutil.Launcher;

/**
 * Checkpoints in real MPJ jobs through bin/pscreen2vec: a niodev run whose rank 1 is killed
 * (SIGKILL) after its second checkpoint, resumed, ends bitwise like an uninterrupted run (ring,
 * ps/bsp, hybrid/bsp); SIGTERM to the launcher checkpoints, marks the run preempted and leaves
 * nothing running, and the resumed run is again identical (that run with
 * {@code checkpoint.epochs=false}: only every 5 steps and the preempted step are kept); a damaged checkpoint ends the job with
 * status 4 and one line; a NaN in one worker's gradient ends it with status 1 naming the step.
 * Tiny Screen2Vec (a text table, so the servers' row shards and the per-row optimizer state are
 * exercised), 12 steps, a checkpoint every 3.
 */
class CheckpointIT {
  private static final AtomicInteger SEQ = new AtomicInteger();
  private static final List<String> MODEL = List.of("train", "--model", "screen2vec",
      "--set", "dim=8", "--set", "text.buckets=256", "--set", "layout.sizes=4,2",
      "--set", "synthetic.screens=300", "--set", "batch=4", "--set", "max.steps=12",
      "--set", "checkpoint.every=3", "--set", "eval.batch=8", "--set", "checksum.every=2");
  private static final Duration LIMIT = Duration.ofMinutes(3);
  /** The background jobs' output files (JUnit removes the folder after the class). */
  @TempDir
  static Path outputs;

  private static String[] job(String np, String dev, String experiment, List<String> strategy,
      String... extra) {
    List<String> a = new ArrayList<>(List.of("-np", np, "-dev", dev));
    a.addAll(MODEL);
    a.addAll(strategy);
    a.addAll(List.of("--experiment", experiment));
    a.addAll(Arrays.asList(extra));
    return a.toArray(new String[0]);
  }

  private static Path runDir(String experiment, String jobId) {
    return Launcher.resultsDir().resolve(experiment).resolve(jobId);
  }

  /** A launcher process started in the background (the test decides when it ends). */
  private record Job(Process process, String jobId, Path out) {
    String output() throws IOException {
      return Files.readString(out, StandardCharsets.UTF_8);
    }

    int await() throws Exception {
      if (!process.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail("job " + jobId + " did not end within " + LIMIT + "\n" + output());
      }
      return process.exitValue();
    }
  }

  private static Job start(Map<String, String> env, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Launcher.root().resolve("bin/pscreen2vec").toString());
    cmd.addAll(Arrays.asList(args));
    String jobId = "ckpt-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(Launcher.root().toFile());
    pb.environment().put("PSCREEN2VEC_CLASSPATH", Launcher.classPath());
    pb.environment().put("PSCREEN2VEC_RESULTS", Launcher.resultsDir().toString());
    pb.environment().put("PSCREEN2VEC_JOB_ID", jobId);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(outputs, "ckpt-it", ".out");
    pb.redirectErrorStream(true).redirectOutput(out.toFile());
    return new Job(pb.start(), jobId, out);
  }

  /** Complete checkpoints of a run so far. */
  private static int checkpoints(Path run, int servers) throws IOException {
    return TrainingCheckpoint.complete(run.resolve(CheckpointFile.FOLDER), servers).size();
  }

  private static void waitForCheckpoints(Job j, Path run, int servers, int n) throws Exception {
    long end = System.nanoTime() + LIMIT.toNanos();
    while (checkpoints(run, servers) < n) {
      if (!j.process().isAlive()) {
        fail("the run ended before its checkpoint " + n + "\n" + j.output());
      }
      if (System.nanoTime() > end) {
        fail("no checkpoint " + n + " within " + LIMIT + "\n" + j.output());
      }
      Thread.sleep(50);
    }
  }

  private static Path reference(String experiment, String np, List<String> strategy)
      throws Exception {
    Launcher.Result r = Launcher.run(LIMIT, job(np, "multicore", experiment, strategy));
    assertEquals(0, r.exitCode(), r.toString());
    return runDir(experiment, r.jobId());
  }

  private void killResumeAndCompare(String name, String np, int servers, List<String> strategy)
      throws Exception {
    Path ref = reference("ckpt-" + name + "-ref", np, strategy);
    String exp = "ckpt-" + name + "-killed";
    Job j = start(Map.of("PSCREEN2VEC_JVM_OPTS", "-Dpscreen2vec.debug.stepDelayMs=150"),
        job(np, "niodev", exp, strategy, "--deadline", "15"));
    Path run = runDir(exp, j.jobId());
    waitForCheckpoints(j, run, servers, 2);
    List<ProcessHandle> rank1 = ProcessHandle.allProcesses()
        .filter(ph -> ph.info().commandLine().map(c -> c.contains("pscreen2vec.jobId="
            + j.jobId() + " ") && c.matches(".*\\s1\\sorg\\.pscreen2vec\\.Main\\s.*"))
            .orElse(false)).toList();
    assertEquals(1, rank1.size(), "rank 1's JVM of " + j.jobId() + ": " + rank1);
    rank1.get(0).destroyForcibly(); // SIGKILL
    int rc = j.await();
    assertNotEquals(0, rc, "a job with a killed rank must fail\n" + j.output());
    assertFalse(Files.exists(run.resolve("checkpoint.bin")), "the killed run did not finish");
    assertTrue(Launcher.leftovers(j.jobId()).isEmpty(), "left running");
    assertFalse(Files.readString(run.resolve("run.json")).contains("\"done\""));
    Launcher.Result resumed = Launcher.run(LIMIT, job(np, "multicore", exp, strategy,
        "--resume", run.toString()));
    assertEquals(0, resumed.exitCode(), resumed.toString());
    assertTrue(resumed.all().contains("resuming from"), resumed.all());
    assertArrayEquals(Files.readAllBytes(ref.resolve("checkpoint.bin")),
        Files.readAllBytes(run.resolve("checkpoint.bin")),
        name + ": the resumed run's parameters differ from the uninterrupted run's");
    assertEquals(epochRows(ref), epochRows(run), name + ": metrics differ");
    assertTrue(Files.readString(run.resolve("run.json")).contains("\"done\""));
  }

  @Test
  void ringKilledAfterItsSecondCheckpointResumesBitwise() throws Exception {
    killResumeAndCompare("ring", "2", 0, List.of("--strategy", "ring"));
  }

  @Test
  void psBspKilledAfterItsSecondCheckpointResumesBitwise() throws Exception {
    killResumeAndCompare("ps", "3", 1, List.of("--strategy", "ps", "--servers", "1"));
  }

  @Test
  void hybridBspKilledAfterItsSecondCheckpointResumesBitwise() throws Exception {
    killResumeAndCompare("hybrid", "3", 1, List.of("--strategy", "hybrid", "--servers", "1"));
  }

  /** auto runs ring here and tells the server it is idle: checkpoints then need no server file. */
  @Test
  void autoWithAnIdleServerKilledAfterItsSecondCheckpointResumesBitwise() throws Exception {
    killResumeAndCompare("auto", "3", 1, List.of("--strategy", "auto", "--servers", "1"));
  }

  @Test
  void sigtermCheckpointsMarksPreemptedAndTheResumeIsIdentical() throws Exception {
    // without epoch-end checkpoints (as a study runs): every 5 steps, and the preempted step's
    List<String> ps = List.of("--strategy", "ps", "--servers", "1",
        "--set", "checkpoint.every=5", "--set", "checkpoint.epochs=false");
    Path ref = reference("ckpt-term-ref", "3", ps);
    String exp = "ckpt-term";
    Job j = start(Map.of("PSCREEN2VEC_JVM_OPTS", "-Dpscreen2vec.debug.stepDelayMs=150"),
        job("3", "multicore", exp, ps));
    Path run = runDir(exp, j.jobId());
    waitForCheckpoints(j, run, 1, 1);
    j.process().destroy(); // SIGTERM to the launcher
    int rc = j.await();
    String out = j.output();
    assertNotEquals(0, rc, out);
    String status = Files.readString(run.resolve("run.json"));
    assertTrue(status.contains("\"preempted\""), status + "\n" + out);
    assertTrue(Launcher.leftovers(j.jobId()).isEmpty(), "left running: "
        + Launcher.leftovers(j.jobId()));
    assertFalse(Files.exists(run.resolve("checkpoint.bin")));
    List<Path> kept = TrainingCheckpoint.complete(run.resolve(CheckpointFile.FOLDER), 1);
    assertTrue(kept.size() == 2 && kept.contains(CheckpointFile.stepDir(run, 5)),
        "step 5's and the preempted step's, workers' and server's: " + kept + "\n" + out);
    Launcher.Result resumed = Launcher.run(LIMIT, job("3", "multicore", exp, ps,
        "--resume", run.toString()));
    assertEquals(0, resumed.exitCode(), resumed.toString());
    assertArrayEquals(Files.readAllBytes(ref.resolve("checkpoint.bin")),
        Files.readAllBytes(run.resolve("checkpoint.bin")), "resumed after SIGTERM: differs");
    assertEquals(epochRows(ref), epochRows(run));
    assertFalse(Files.exists(CheckpointFile.stepDir(run, 12)),
        "checkpoint.epochs=false: no last-step checkpoint, from the workers or the server");
  }

  @Test
  void aDamagedCheckpointEndsTheJobWithStatus4AndOneLine() throws Exception {
    Path ref = reference("ckpt-bad-ref", "2", List.of("--strategy", "ring"));
    Path step = TrainingCheckpoint.complete(ref.resolve(CheckpointFile.FOLDER), 0).get(0);
    Path file = step.resolve(CheckpointFile.TRAIN_FILE);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 1000));
    Launcher.Result r = Launcher.run(LIMIT, job("2", "multicore", "ckpt-bad", List.of(
        "--strategy", "ring"), "--resume", step.toString()));
    assertEquals(4, r.exitCode(), r.toString());
    assertTrue(r.all().contains(file + ": is truncated"), r.toString());
    assertFalse(r.all().contains("\tat org."), "no stack trace: " + r);
    Files.write(file, bytes); // intact, but another shape
    r = Launcher.run(LIMIT, job("2", "multicore", "ckpt-bad", List.of("--strategy", "ring"),
        "--resume", step.toString(), "--set", "dim=16"));
    assertEquals(4, r.exitCode(), r.toString());
    assertTrue(r.all().contains("dim=8 in the checkpoint, 16 now"), r.toString());
    assertFalse(r.all().contains("\tat org."), "no stack trace: " + r);
  }

  @Test
  void aNanInOneWorkersGradientEndsTheJobWithStatus1NamingTheStep() throws Exception {
    Launcher.Result r = Launcher.run(LIMIT, job("2", "multicore", "ckpt-nan",
        List.of("--strategy", "ring"), "--set", "debug.nan.step=5"));
    assertEquals(1, r.exitCode(), r.toString());
    assertTrue(r.all().contains("step 5: the gradient of parameter block"), r.toString());
    assertTrue(r.all().contains("on worker 1"), r.toString());
    String status = Files.readString(runDir("ckpt-nan", r.jobId()).resolve("run.json"));
    assertTrue(status.contains("\"failed\""), status);
  }
}
